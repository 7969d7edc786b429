"""Content negotiation the services share: whether a client asked for CSV instead of JSON."""

from typing import Final

CSV: Final = "text/csv"


def prefers_csv(accept: str | None) -> bool:
    """Whether Accept ranks `text/csv` above `application/json`. A media range counts by its
    exact entry if it has one, else by its best wildcard (`text/*`, `*/*`), so `*/*` and no
    Accept at all keep JSON, the default."""
    if not accept:
        return False
    exact: dict[str, float] = {}
    wildcard: dict[str, float] = {}
    for part in accept.split(","):
        media, *parameters = (piece.strip().lower() for piece in part.split(";"))
        q = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if media.endswith("/*"):
            wildcard[media] = max(wildcard.get(media, 0.0), q)
        else:
            exact[media] = max(exact.get(media, 0.0), q)

    def quality(media: str) -> float:
        if media in exact:
            return exact[media]
        ranges = (f"{media.split('/')[0]}/*", "*/*")
        return max((wildcard[r] for r in ranges if r in wildcard), default=0.0)

    return quality(CSV) > 0 and quality(CSV) > quality("application/json")
