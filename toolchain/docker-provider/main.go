// Command pulumi-resource-docker is the Pulumi docker resource provider,
// bridged from the upstream Terraform docker provider with the Pulumi
// Terraform bridge, and built here from Go modules because no prebuilt
// plugin can be downloaded on our machines.
//
// It serves the same resource tokens as the pulumi-docker Python SDK uses
// (docker:index/container:Container, docker:index/network:Network, ...).
//
// It serves no Pulumi package schema: generating one needs the bridge's
// tfgen, whose Java code generator cannot be fetched here. The bridge then
// skips its advisory type check of inputs; the Terraform schema still
// validates every input.
package main

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge/tokens"
	shimv2 "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim/sdk-v2"
	ptokens "github.com/pulumi/pulumi/sdk/v3/go/common/tokens"

	"github.com/terraform-providers/terraform-provider-docker/shim"
)

// version is set at link time to the pulumi-docker SDK version we pin,
// because the engine loads the plugin whose version equals the SDK's.
var version = "0.0.0-dev"

const (
	pkgName    = "docker"
	moduleName = "index"
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

func main() {
	tfbridge.Main(pkgName, version, providerInfo(), nil)
}
