"""Names vulture reports as unused that are used by a framework calling them by name (`make check`).

Each line is a use vulture cannot see; keep the reason beside it.
"""

model_admin  # SimpleListFilter.queryset(request, queryset) signature: Django passes it  # noqa: F821, B018
memo  # __deepcopy__(self, memo): copy.deepcopy passes it  # noqa: F821, B018
script_prefix  # a setting_changed receiver's keyword argument  # noqa: F821, B018
