"""Per-container security policy: the manifest, Docker seccomp profiles, and the
syscall decision table the dispatcher uses (DESIGN.md, "Policy")."""
from vkernel.policy.manifest import (DEFAULT_POLICY_TOML, Action, ArgCondition, MountSpec, Policy, PolicyError,
                                     SyscallPolicy, SyscallRule, default_policy, load, parse, to_toml)

__all__ = ["DEFAULT_POLICY_TOML", "Action", "ArgCondition", "MountSpec", "Policy", "PolicyError", "SyscallPolicy",
           "SyscallRule", "default_policy", "load", "parse", "to_toml"]
