"""click's own refusals (a missing option, a value outside its choices, an unknown command) in the CLI's words:
错误：<what is wrong> and where to find the help, instead of click's English "Error: …" (issue 19 item 1).
Exit codes stay click's (2 for a usage error)."""

from __future__ import annotations

import re
import sys
from typing import Any

import click


def usage_words(error: click.UsageError) -> str:
    """The refusal in Chinese where click's reason is known; our own texts (Chinese already) pass through."""
    ctx = error.ctx
    param = getattr(error, "param", None)
    hint = param.get_error_hint(ctx) if param is not None and ctx is not None else None
    if isinstance(error, click.MissingParameter):
        return f"须给出 {hint or getattr(error, 'param_hint', '') or '参数'}"
    if isinstance(error, click.NoSuchOption):
        also = f"，是否要用：{'、'.join(sorted(error.possibilities))}" if error.possibilities else ""
        return f"没有选项 {error.option_name}{also}"
    if isinstance(error, click.BadOptionUsage):
        return f"选项 {error.option_name} 的用法不对"
    if isinstance(error, click.BadParameter):
        if param is not None and isinstance(param.type, click.Choice):
            choices = "、".join(str(c) for c in param.type.choices)
            given = re.match(r"'(.*)' is not one of", error.message)
            shown = f"“{given.group(1)}”" if given else ""
            return f"{_named(param, ctx)}的值{shown}不可选，可选：{choices}"
        message = error.message if re.search(r"[\u4e00-\u9fff]", error.message) else _value_words(error.message)
        return f"{hint or error.param_hint or '参数'}：{message}" if (hint or error.param_hint) else message
    message = error.format_message()
    unknown = re.match(r"No such command '(.*)'\.", message)
    if unknown:
        return f"没有“{unknown.group(1)}”这个命令"
    extra = re.match(r"Got unexpected extra arguments? \((.*)\)", message)
    if extra:
        return f"多余的参数：{extra.group(1)}"
    if message == "Missing command.":
        return "须给出命令"
    return message


def _named(param: click.Parameter, ctx: click.Context | None) -> str:
    if isinstance(param, click.Argument):  # its hint lists every choice: the name alone says which argument
        return param.human_readable_name + " "
    return param.get_error_hint(ctx) + " " if ctx is not None else f"{param.name} "


def _value_words(message: str) -> str:
    """click's type errors: not a whole number, not a number, not a date."""
    found = re.match(r"'(.*)' is not a valid (integer|float|boolean)", message)
    if found:
        kind = {"integer": "整数", "float": "数字", "boolean": "是或否（true/false）"}[found.group(2)]
        return f"“{found.group(1)}”不是{kind}"
    return message


class ChineseErrorsGroup(click.Group):
    """The `ogi` group: click's usage errors are printed as 错误：… with the help to read; everything else as click."""

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args=args, prog_name=prog_name, complete_var=complete_var, standalone_mode=False, **extra)
        try:
            result = super().main(args=args, prog_name=prog_name, complete_var=complete_var, standalone_mode=False,
                                  **extra)
        except click.UsageError as error:
            click.echo(f"错误：{usage_words(error)}", err=True)
            if error.ctx is not None:
                click.echo(f"查看帮助：{error.ctx.command_path} --help", err=True)
            sys.exit(error.exit_code)
        except click.ClickException as error:
            click.echo(f"错误：{error.format_message()}", err=True)
            sys.exit(error.exit_code)
        except click.exceptions.Abort:
            click.echo("已取消", err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)
