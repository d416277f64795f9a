// Command pulumi-resource-docker is the Pulumi docker resource provider,
// bridged from the upstream Terraform docker provider with the Pulumi
// Terraform bridge, and built here from Go modules because no prebuilt
// plugin can be downloaded on our machines.
//
// It serves the same resource tokens as the pulumi-docker Python SDK uses
// (docker:index/container:Container, docker:index/network:Network, ...).
//
//	pulumi-resource-docker schema   prints the Pulumi package schema
//	pulumi-resource-docker          serves the provider (started by the engine)
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge/tokens"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfgen"
	shimv2 "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim/sdk-v2"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag/colors"
	ptokens "github.com/pulumi/pulumi/sdk/v3/go/common/tokens"

	"github.com/terraform-providers/terraform-provider-docker/shim"
)

// version is set at link time to the pulumi-docker SDK version we pin,
// because the engine loads the plugin whose version equals the SDK's.
var version = "0.0.0-dev"

const (
	pkgName    = "docker"
	moduleName = "index"
	schemaFile = "schema.json"
)

// renamedResources lists the Terraform types whose Pulumi names differ from the
// standard mapping; everything else maps docker_foo to docker:index/foo:Foo.
var renamedResources = map[string]string{
	"docker_config": "ServiceConfig",
	"docker_image":  "RemoteImage",
}

var renamedDataSources = map[string]string{
	"docker_image": "getRemoteImage",
}

// member returns the token docker:index/<name with a lower-case first letter>:<name>.
func member(name string) ptokens.ModuleMember {
	lower := strings.ToLower(name[:1]) + name[1:]
	return ptokens.ModuleMember(fmt.Sprintf("%s:%s/%s:%s", pkgName, moduleName, lower, name))
}

func providerInfo() tfbridge.ProviderInfo {
	info := tfbridge.ProviderInfo{
		P:           shimv2.NewProvider(shim.NewProvider()),
		Name:        pkgName,
		Version:     version,
		Description: "Docker resources for the hospital DRP testbed, bridged from Terraform",
		License:     "Apache-2.0",
		GitHubOrg:   "kreuzwerker",
		Config: map[string]*tfbridge.SchemaInfo{
			"host": {Default: &tfbridge.DefaultInfo{
				EnvVars: []string{"DOCKER_HOST"},
				Value:   "unix:///var/run/docker.sock",
			}},
			"registry_auth": {Name: "registryAuth", MaxItemsOne: tfbridge.False()},
		},
		Resources: map[string]*tfbridge.ResourceInfo{
			"docker_container": {
				Tok:                 ptokens.Type(member("Container")),
				DeleteBeforeReplace: true,
			},
		},
		DataSources: map[string]*tfbridge.DataSourceInfo{},
	}
	for tf, name := range renamedResources {
		info.Resources[tf] = &tfbridge.ResourceInfo{Tok: ptokens.Type(member(name))}
	}
	for tf, name := range renamedDataSources {
		info.DataSources[tf] = &tfbridge.DataSourceInfo{Tok: member(name)}
	}
	info.MustComputeTokens(tokens.SingleModule("docker_", moduleName, tokens.MakeStandard(pkgName)))
	info.SetAutonaming(255, "-")
	return info
}

func printSchema(info tfbridge.ProviderInfo) error {
	sink := diag.DefaultSink(os.Stderr, os.Stderr, diag.FormatOptions{Color: colors.Never})
	res, err := tfgen.GenerateSchemaWithOptions(tfgen.GenerateSchemaOptions{
		ProviderInfo: info, DiagnosticsSink: sink, XInMemoryDocs: true,
	})
	if err != nil {
		return fmt.Errorf("generating the docker provider schema: %w", err)
	}
	out := json.NewEncoder(os.Stdout)
	out.SetIndent("", "  ")
	return out.Encode(res.PackageSpec)
}

// loadSchema reads the schema that the build wrote beside this binary.
func loadSchema() ([]byte, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	path := filepath.Join(filepath.Dir(exe), schemaFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s is missing: rebuild the plugin with toolchain/docker-provider/build.sh: %w", path, err)
	}
	return data, nil
}

func main() {
	info := providerInfo()
	if len(os.Args) > 1 && os.Args[1] == "schema" {
		if err := printSchema(info); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	schema, err := loadSchema()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	tfbridge.Main(pkgName, version, info, schema)
}
