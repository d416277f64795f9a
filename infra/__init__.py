"""The Pulumi program that stands up the hospital replica, one component per layer."""
