// Package shim is added to a local copy of the upstream Terraform docker
// provider so that code outside that module can reach its provider
// constructor, which upstream keeps under internal/.
package shim

import (
	"github.com/hashicorp/terraform-plugin-sdk/v2/helper/schema"

	"github.com/terraform-providers/terraform-provider-docker/internal/provider"
)

// NewProvider returns the upstream Terraform provider, unconfigured.
func NewProvider() *schema.Provider {
	return provider.New("hospital-drp")()
}
