"""What every check returns: a list of flags ``{check, severity, message}`` (MQM-style severities)."""

from __future__ import annotations

# Most severe first. MQM: critical = unusable / misleading, major = meaning changed, minor = noticeable, harmless.
SEVERITIES = ("critical", "major", "minor")
RANK = {name: i for i, name in enumerate(SEVERITIES)}


def flag(check: str, severity: str, message: str) -> dict:
    assert severity in RANK, severity
    return {"check": check, "severity": severity, "message": message}


def at_least(flags: list[dict], severity: str) -> list[dict]:
    """The flags whose severity is `severity` or worse."""
    return [f for f in flags if RANK[f["severity"]] <= RANK[severity]]


def worst(flags: list[dict]) -> str | None:
    return min((f["severity"] for f in flags), key=RANK.__getitem__, default=None)


def short(text: str, n: int = 40) -> str:
    """A quotable excerpt for messages."""
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"
