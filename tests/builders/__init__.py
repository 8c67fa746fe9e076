"""Builders: the worlds tests stand up, one module per aggregate, shared by every test package.

Test modules import helpers from here (and fixtures from conftests), never from another
``test_*`` module, so a test file can be moved, split or deleted without breaking its neighbours;
tests/shell/test_layering.py holds that rule. Builders compose: each takes what it stands on
(a staff member, an event, a client) as an optional argument and makes it when left out.
"""
