"""SCIM filters (RFC 7644 §3.4.2.2) turned into SQL over our tables.

The identity providers filter on userName, externalId, displayName, emails and group
membership; those, and the rest of what we publish, are translated. A filter on anything
else answers invalidFilter rather than being evaluated in memory over every user.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from scim2_models import InvalidFilterException
from scim2_models.path import (
    AttrPath,
    CompareOperator,
    Comparison,
    FilterNode,
    LogicalExpr,
    LogicalOperator,
    Not,
    Present,
    ValuePath,
)
from sqlalchemy import ColumnElement, and_, exists, false, func, not_, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute

from services.core.schemas import unstorable
from services.profiles.scim.models import ScimGroup, ScimGroupMember
from services.profiles.scim.resources import GROUP_SCHEMA, USER_SCHEMA
from services.profiles.users.models import User

Op = CompareOperator


@dataclass(frozen=True)
class Column:
    """An attribute kept in a column. `text` columns compare case-insensitively unless
    `case_exact`; `kind` says how a filter value is read."""

    expression: ColumnElement[Any] | InstrumentedAttribute[Any]
    kind: str = "text"  # text | uuid | bool | datetime
    case_exact: bool = False
    nullable: bool = True


@dataclass(frozen=True)
class Constant:
    """An attribute every resource holds with the same value (emails.type is "work")."""

    value: Any


@dataclass(frozen=True)
class Members:
    """The members of a group: a condition on each member row, true if any matches."""


Target = Column | Constant | Members
Resolver = Callable[[str], Target | None]


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _read(column: Column, value: Any) -> Any:
    if value is None:
        return None
    try:
        if column.kind == "uuid":
            return uuid.UUID(str(value))
        if column.kind == "bool":
            if not isinstance(value, bool):
                raise ValueError
            return value
        if column.kind == "datetime":
            return _moment(value)
    except ValueError:
        return _NO_MATCH
    if not isinstance(value, str) or unstorable(value):
        return _NO_MATCH  # no stored text holds a NUL
    return value


def _moment(value: Any) -> datetime:
    moment = datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # a dateTime without an offset is read as UTC
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        # e.g. 0001-01-01T00:00:00+14:00: a moment before any the database can be asked about
        raise InvalidFilterException(detail=f"{value} is out of the range of dates") from None


_NO_MATCH = object()


def _compare_column(column: Column, op: Op, raw: Any) -> ColumnElement[bool]:
    value = _read(column, raw)
    if value is _NO_MATCH:
        return false() if op != Op.ne else true()
    expression: Any = column.expression
    condition: ColumnElement[bool]
    if value is None:
        if op == Op.eq:
            condition = expression.is_(None)
        elif op == Op.ne:
            condition = expression.is_not(None)
        else:
            raise InvalidFilterException(detail="null can only be compared with eq or ne")
        return condition
    if column.kind in ("uuid", "bool") and op not in (Op.eq, Op.ne):
        raise InvalidFilterException(detail=f"{op.value} does not apply to this attribute")
    if column.kind == "text" and not column.case_exact:
        expression, value = func.lower(expression), value.lower()
    if op in (Op.co, Op.sw, Op.ew):
        if column.kind != "text":
            raise InvalidFilterException(detail=f"{op.value} applies to strings only")
        pattern = _like_escape(value)
        pattern = {Op.co: f"%{pattern}%", Op.sw: f"{pattern}%", Op.ew: f"%{pattern}"}[op]
        condition = expression.like(pattern, escape="\\")
    elif op == Op.eq:
        condition = expression == value
    elif op == Op.ne:
        # An attribute without a value is not equal to any value.
        condition = expression != value
        if column.nullable:
            condition = or_(condition, column.expression.is_(None))
    elif op == Op.gt:
        condition = expression > value
    elif op == Op.ge:
        condition = expression >= value
    elif op == Op.lt:
        condition = expression < value
    else:
        condition = expression <= value
    return condition


def _compare_constant(constant: Constant, op: Op, value: Any) -> ColumnElement[bool]:
    held = constant.value
    if isinstance(held, str) and isinstance(value, str):
        held, value = held.lower(), value.lower()
    if op == Op.eq:
        return true() if held == value else false()
    if op == Op.ne:
        return true() if held != value else false()
    if isinstance(held, str) and isinstance(value, str):
        outcome = {
            Op.co: value in held,
            Op.sw: held.startswith(value),
            Op.ew: held.endswith(value),
            Op.gt: held > value,
            Op.ge: held >= value,
            Op.lt: held < value,
            Op.le: held <= value,
        }[op]
        return true() if outcome else false()
    raise InvalidFilterException(detail=f"{op.value} does not apply to this attribute")


def _name(attr_path: AttrPath, schema: str) -> str:
    if attr_path.uri is not None and attr_path.uri.casefold() != schema.casefold():
        raise InvalidFilterException(detail=f"{attr_path} is not an attribute of {schema}")
    name = attr_path.attr.casefold()
    return f"{name}.{attr_path.sub_attr.casefold()}" if attr_path.sub_attr else name


@dataclass(frozen=True)
class Translator:
    schema: str
    resolve: Resolver
    member: "Translator | None" = None  # how a condition on one member is translated

    def target(self, attr_path: AttrPath) -> Target:
        name = _name(attr_path, self.schema)
        target = self.resolve(name)
        if target is None:
            raise InvalidFilterException(detail=f"Filtering on {attr_path} is not supported")
        return target

    def __call__(self, node: FilterNode) -> ColumnElement[bool]:
        if isinstance(node, LogicalExpr):
            terms = [self(term) for term in node.terms]
            return and_(*terms) if node.op == LogicalOperator.and_ else or_(*terms)
        if isinstance(node, Not):
            return not_(self(node.expr))
        if isinstance(node, Present):
            return self._present(self.target(node.attr_path))
        if isinstance(node, Comparison):
            return self._compare(node)
        if isinstance(node, ValuePath):
            return self._value_path(node)
        raise InvalidFilterException(detail="Unsupported filter expression")

    def _present(self, target: Target) -> ColumnElement[bool]:
        if isinstance(target, Column):
            if target.kind == "text":
                return and_(target.expression.is_not(None), target.expression != "")
            return target.expression.is_not(None)
        if isinstance(target, Constant):
            return true() if target.value is not None else false()
        return self._any_member(true())

    def _compare(self, node: Comparison) -> ColumnElement[bool]:
        target = self.target(node.attr_path)
        if isinstance(target, Column):
            return _compare_column(target, node.op, node.value)
        if isinstance(target, Constant):
            return _compare_constant(target, node.op, node.value)
        assert self.member is not None
        return self._any_member(self.member(Comparison(AttrPath("value"), node.op, node.value)))

    def _value_path(self, node: ValuePath) -> ColumnElement[bool]:
        name = _name(node.attr_path, self.schema)
        if name == "emails" and self.schema == USER_SCHEMA:
            # One email per user, so "some email matches" is "the email matches".
            return EMAIL(node.val_filter)
        if name == "members" and self.member is not None:
            return self._any_member(self.member(node.val_filter))
        raise InvalidFilterException(detail=f"Filtering on {node.attr_path}[...] is not supported")

    @staticmethod
    def _any_member(condition: ColumnElement[bool]) -> ColumnElement[bool]:
        return exists(
            select(ScimGroupMember.id)
            .where(ScimGroupMember.group_id == ScimGroup.id, condition)
            .correlate(ScimGroup)
        )


_USER_EMAIL = Column(User.email, nullable=False)
_CREATED = Column(User.created_at, "datetime", nullable=False)
_MODIFIED = Column(User.updated_at, "datetime", nullable=False)

_USER_ATTRIBUTES: dict[str, Target] = {
    "id": Column(User.id, "uuid", nullable=False),
    "externalid": Column(User.external_id, case_exact=True),
    "username": Column(func.coalesce(User.scim_user_name, User.email), nullable=False),
    "displayname": Column(User.display_name, nullable=False),
    "active": Column(User.active, "bool", nullable=False),
    "emails": _USER_EMAIL,
    "emails.value": _USER_EMAIL,
    "emails.type": Constant("work"),
    "emails.primary": Constant(True),
    "meta.created": _CREATED,
    "meta.lastmodified": _MODIFIED,
}
_EMAIL_ATTRIBUTES: dict[str, Target] = {
    "value": _USER_EMAIL,
    "type": Constant("work"),
    "primary": Constant(True),
}
_GROUP_ATTRIBUTES: dict[str, Target] = {
    "id": Column(ScimGroup.id, "uuid", nullable=False),
    "externalid": Column(ScimGroup.external_id, case_exact=True),
    "displayname": Column(ScimGroup.display_name, nullable=False),
    "members": Members(),
    "members.value": Members(),
    "meta.created": Column(ScimGroup.created_at, "datetime", nullable=False),
    "meta.lastmodified": Column(ScimGroup.updated_at, "datetime", nullable=False),
}
_MEMBER_ATTRIBUTES: dict[str, Target] = {
    "value": Column(ScimGroupMember.user_id, "uuid", nullable=False),
    "type": Constant("User"),
}

EMAIL = Translator(USER_SCHEMA, _EMAIL_ATTRIBUTES.get)
USERS = Translator(USER_SCHEMA, _USER_ATTRIBUTES.get)
GROUPS = Translator(
    GROUP_SCHEMA, _GROUP_ATTRIBUTES.get, member=Translator(GROUP_SCHEMA, _MEMBER_ATTRIBUTES.get)
)
