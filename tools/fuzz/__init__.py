"""The fuzz harness of the syscall surface (issue 10, DESIGN.md invariant 3).

- gen.py: structured, seeded generation of calls from the syscall table's argument kinds;
- driver.py: the in-process driver (a real Kernel, calls through Dispatcher.dispatch);
- oracles.py: the kernel's consistency checks, run after every call;
- campaign.py: campaigns, minimisation (ddmin) and sequence files;
- cli.py: ``vkemu fuzz`` and ``python -m tools.fuzz``.
"""
