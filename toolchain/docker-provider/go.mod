module hospital-drp/toolchain/docker-provider

go 1.26

require (
	github.com/pulumi/pulumi-terraform-bridge/v3 v3.133.0
	github.com/terraform-providers/terraform-provider-docker v0.0.0
)

replace (
	github.com/hashicorp/terraform-plugin-sdk/v2 => github.com/pulumi/terraform-plugin-sdk/v2 v2.0.0-20260318212141-5525259d096b
	github.com/terraform-providers/terraform-provider-docker => ./upstream
)
