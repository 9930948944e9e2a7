"""The fuzz harness of the syscall surface (issue 10, DESIGN.md invariant 3).

- gen.py: structured, seeded generation of calls from the syscall table's argument kinds
  (and well-formed AF_UNIX socket calls: names, msghdrs with SCM_RIGHTS);
- driver.py: the in-process driver (a real Kernel over a small host sandbox, calls through
  Dispatcher.dispatch);
- oracles.py: the kernel's consistency checks, run after every call;
- hostaudit.py: the host-path oracle (every host path the kernel touches is in a mount);
- guest.py and guest_driver.c: the through-guest driver (a static program under vkemu)
  and the differential run on the host kernel;
- campaign.py: campaigns, minimisation (ddmin, then argument shrinking) and sequence files;
- atheris_target.py: the coverage-guided entry (``python -m tools.fuzz --atheris``);
- cli.py: ``vkemu fuzz`` and ``python -m tools.fuzz``.
"""
