"""How ``kg --help`` names values: ``FILE`` and ``N`` rather than Python types.

Typer prints each parameter's Python type (``<bool>``, ``<list[str]>``,
``<int range> [x>=0]``) and usage lines such as ``{paths}...``. The command
and group classes here (given to Typer as ``cls=``) print what a user types
instead: an option's ``metavar`` (or its choices, or its name in capitals),
nothing for a flag, and arguments as ``PATHS...`` or ``[GRAPH]`` in the usage
line; hidden arguments (old spellings kept for compatibility) stay out of it.
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

__all__ = ["VALUE_NAMES", "KgCommand", "KgGroup"]


#: The value an option takes, by its parameter name, where no metavar= says it.
VALUE_NAMES = {
    "allow_origin": "ORIGIN",
    "cluster": "ADDRESS",
    "encoding": "NAME",
    "focus": "NAME",
    "gazetteer": "FILE",
    "jobs": "N",
    "limit": "N",
    "max_chars": "N",
    "max_memory": "SIZE",
    "max_workers": "N",
    "min_confidence": "X",
    "param": "NAME=VALUE",
    "port": "PORT",
    "shapes": "FILE",
    "store": "SPEC",
    "timeout": "SECONDS",
    "tolerance": "SHARE",
}


class _Argument(TyperArgument):
    """An argument shown by its name alone (its metavar, in capitals)."""

    def display_type_rich(self, ctx: Any) -> str | None:
        return None

    def _get_number_range_help_str(self) -> str | None:
        return None

    def get_usage_pieces(self, ctx: Any) -> list[str]:
        if self.hidden:
            return []
        name = self.metavar or (self.name or "").upper()
        return [name if self.required else f"[{name}]"]


class _Option(TyperOption):
    """An option shown with the value it takes: its metavar, its choices, or nothing (a flag)."""

    def display_type_rich(self, ctx: Any) -> str | None:
        if self.is_flag or self.count:
            return None
        if self.metavar is not None:
            return self.metavar
        described = getattr(self, "type_descriptor", None)  # Typer >= 0.2x
        choices = getattr(described, "choices", None) or getattr(
            getattr(self, "type", None), "choices", None
        )
        if choices:
            return "|".join(str(getattr(c, "value", c)) for c in choices)
        return VALUE_NAMES.get(self.name or "", (self.name or "value").upper())

    def _get_number_range_help_str(self) -> str | None:
        return None


def _plain(param: Any) -> Any:
    """``param`` with its help shown as above (the class swap adds behaviour, no state)."""
    if type(param) is TyperArgument:
        param.__class__ = _Argument
        if param.metavar is None:  # PATHS... in the help, as in the usage line
            param.metavar = (param.name or "value").upper() + ("..." if param.nargs != 1 else "")
    elif type(param) is TyperOption:
        param.__class__ = _Option
    return param


class _PlainHelp:
    """What KgCommand and KgGroup add to Typer's classes: their parameters shown plainly."""

    params: list[Any]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            _plain(param)

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        return None if option is None else _plain(option)


class KgCommand(_PlainHelp, TyperCommand):
    """A Typer command whose help shows metavars, not Python types."""


class KgGroup(_PlainHelp, TyperGroup):
    """The ``kg`` group: the same help style for its own options."""
