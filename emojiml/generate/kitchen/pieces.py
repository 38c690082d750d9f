"""An icon's SVG body cut into drawable pieces, each a standalone fragment that can be moved or dropped.

Why cut below the element level: the sets draw several features with one element (Twemoji's 😭 draws mouth and
both brows as three sub-paths of one ``<path>``; OpenMoji strokes every outline of a face in one path). So a
``<path>`` is split into its sub-paths, and sub-paths whose box lies inside another's stay with it (the holes
of a filled shape, such as a mouth's interior). Groups are flattened: a piece carries copies of its ancestor
``<g>`` tags, so inherited fill, stroke and transforms still apply. Paint servers and clip paths
(``<defs>``, gradients…) are not pieces; they travel with every piece of their icon.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from html import escape

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
XLINK_NAMESPACE = "http://www.w3.org/1999/xlink"
DEFINITIONS = {
    "defs",
    "linearGradient",
    "radialGradient",
    "clipPath",
    "mask",
    "filter",
    "pattern",
    "symbol",
    "style",
    "marker",
}
CONTAINERS = {"g", "a", "switch"}
DRAWABLE = {"path", "circle", "ellipse", "rect", "polygon", "polyline", "line", "use", "text", "image"}
_ARG_COUNTS = {"m": 2, "l": 2, "h": 1, "v": 1, "c": 6, "s": 4, "q": 4, "t": 2, "a": 7, "z": 0}
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_SEPARATORS = " \t\r\n,"


class PathSyntaxError(ValueError):
    """Path data that does not follow the SVG path grammar."""


@dataclass(frozen=True)
class Piece:
    """One drawable fragment of an icon, in the icon's own viewBox coordinates."""

    index: int  # position in the icon's paint order
    markup: str  # the element, wrapped in copies of its ancestor groups
    fill: str  # the element's effective fill ("none" for outlines)
    stroke: str  # its effective stroke ("none" when it has none)


@dataclass(frozen=True)
class CutIcon:
    """An icon as definitions (gradients, clip paths…) plus its pieces in paint order."""

    definitions: str
    pieces: tuple[Piece, ...]


def prefix_ids(body: str, prefix: str) -> str:
    """``body`` with every id and every reference to one prefixed, so two icons' gradients never collide."""
    ids = set(re.findall(r'\bid="([^"]+)"', body))
    if not ids:
        return body
    pattern = "|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True))
    body = re.sub(rf'\bid="({pattern})"', lambda m: f'id="{prefix}{m.group(1)}"', body)
    body = re.sub(rf"url\(#({pattern})\)", lambda m: f"url(#{prefix}{m.group(1)})", body)
    return re.sub(rf'href="#({pattern})"', lambda m: f'href="#{prefix}{m.group(1)}"', body)


def cut_icon(body: str) -> CutIcon:
    """Split an Iconify SVG ``body`` into definitions and pieces (see the module docstring)."""
    root = ElementTree.fromstring(f'<svg xmlns="{SVG_NAMESPACE}" xmlns:xlink="{XLINK_NAMESPACE}">{body}</svg>')
    definitions: list[str] = []
    pieces: list[Piece] = []
    _walk(root, [], {"fill": "#000", "stroke": "none"}, definitions, pieces)
    return CutIcon("".join(definitions), tuple(pieces))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attributes(element: ElementTree.Element, skip: tuple[str, ...] = ()) -> str:
    parts = []
    for name, value in element.attrib.items():
        if name.startswith(f"{{{XLINK_NAMESPACE}}}"):
            name = "xlink:" + _local(name)
        elif name.startswith("{"):
            continue  # other namespaces (editor metadata) draw nothing
        if name in skip:
            continue
        parts.append(f' {name}="{escape(value, quote=True)}"')
    return "".join(parts)


def serialize(element: ElementTree.Element, skip: tuple[str, ...] = ()) -> str:
    """Markup of ``element`` and its children without namespace prefixes (they render inside our ``<svg>``)."""
    tag = _local(element.tag)
    inner = escape(element.text or "", quote=False) + "".join(
        serialize(child) + escape(child.tail or "", quote=False) for child in element
    )
    attributes = _attributes(element, skip)
    return f"<{tag}{attributes}>{inner}</{tag}>" if inner else f"<{tag}{attributes}/>"


def _style_value(element: ElementTree.Element, name: str) -> str | None:
    style = element.get("style", "")
    match = re.search(rf"(?:^|;)\s*{name}\s*:\s*([^;]+)", style)
    return match.group(1).strip() if match else element.get(name)


def _walk(
    element: ElementTree.Element,
    ancestors: list[str],
    paint: dict[str, str],
    definitions: list[str],
    pieces: list[Piece],
) -> None:
    for child in element:
        tag = _local(child.tag)
        if tag in DEFINITIONS:
            definitions.append(serialize(child))
            continue
        own = {key: value for key in ("fill", "stroke") if (value := _style_value(child, key)) is not None}
        inherited = paint | own
        if tag in CONTAINERS:
            opening = f"<{tag}{_attributes(child)}>"
            _walk(child, [*ancestors, opening], inherited, definitions, pieces)
            continue
        if tag not in DRAWABLE:
            continue
        for fragment in _split(child, inherited):
            markup = "".join(ancestors) + fragment + "".join(f"</{_local_of(a)}>" for a in reversed(ancestors))
            pieces.append(Piece(len(pieces), markup, inherited["fill"], inherited["stroke"]))


def _local_of(opening: str) -> str:
    return re.match(r"<([A-Za-z]+)", opening).group(1)


def _split(element: ElementTree.Element, paint: dict[str, str]) -> list[str]:
    """One element's fragments: a path cut into its sub-paths (holes kept with their outline), else itself."""
    if _local(element.tag) != "path" or not element.get("d"):
        return [serialize(element)]
    try:
        subpaths = split_path(element.get("d", ""))
    except PathSyntaxError:
        return [serialize(element)]
    if len(subpaths) < 2:
        return [serialize(element)]
    if paint.get("fill", "#000") != "none":
        subpaths = _group_holes(subpaths)
    others = _attributes(element, skip=("d",))
    return [f'<path{others} d="{d}"/>' for d, _ in subpaths]


def _group_holes(subpaths: list[tuple[str, tuple[float, float, float, float]]]):
    """Join every sub-path whose box lies inside an earlier, larger one's to it (a filled shape and its holes)."""
    order = sorted(range(len(subpaths)), key=lambda i: -_box_area(subpaths[i][1]))
    owner: dict[int, int] = {}
    for rank, i in enumerate(order):
        for j in order[:rank]:
            if owner.get(j, j) == j and _inside(subpaths[i][1], subpaths[j][1]):
                owner[i] = j
                break
    groups: dict[int, list[int]] = {}
    for i in range(len(subpaths)):
        groups.setdefault(owner.get(i, i), []).append(i)
    return [(" ".join(subpaths[i][0] for i in members), subpaths[root][1]) for root, members in sorted(groups.items())]


def _box_area(box: tuple[float, float, float, float]) -> float:
    return max(0.0, box[2] - box[0]) * max(0.0, box[3] - box[1])


def _inside(inner, outer, tolerance: float = 0.5) -> bool:
    return (
        inner[0] >= outer[0] - tolerance
        and inner[1] >= outer[1] - tolerance
        and inner[2] <= outer[2] + tolerance
        and inner[3] <= outer[3] + tolerance
    )


class _Scanner:
    """Reads path data token by token (numbers may run together: ``1.5.5-2``; arc flags may touch: ``011``)."""

    def __init__(self, text: str) -> None:
        self.text, self.at = text, 0

    def skip(self) -> None:
        while self.at < len(self.text) and self.text[self.at] in _SEPARATORS:
            self.at += 1

    def done(self) -> bool:
        self.skip()
        return self.at >= len(self.text)

    def command(self) -> str | None:
        self.skip()
        if self.at < len(self.text) and self.text[self.at].lower() in _ARG_COUNTS:
            self.at += 1
            return self.text[self.at - 1]
        return None

    def number(self) -> float:
        self.skip()
        match = _NUMBER.match(self.text, self.at)
        if match is None:
            raise PathSyntaxError(f"expected a number at {self.at}: {self.text[self.at : self.at + 12]!r}")
        self.at = match.end()
        return float(match.group(0))

    def flag(self) -> float:
        self.skip()
        if self.at >= len(self.text) or self.text[self.at] not in "01":
            raise PathSyntaxError(f"expected an arc flag at {self.at}")
        self.at += 1
        return float(self.text[self.at - 1])


def _format(values: list[float]) -> str:
    return " ".join(f"{v:.6g}" for v in values)


def _arc_points(x1, y1, x2, y2, rx, ry, rotation, large, sweep, samples: int = 8) -> list[tuple[float, float]]:
    """Points along an SVG elliptical arc (endpoint to centre parameterisation, SVG 1.1 appendix F.6.5), so a
    sub-path's box is the arc's and not a generous guess (a guess once swallowed 😋's eyes into its mouth)."""
    if rx == 0 or ry == 0 or (x1 == x2 and y1 == y2):
        return [(x2, y2)]
    rx, ry = abs(rx), abs(ry)
    cos_phi, sin_phi = math.cos(math.radians(rotation)), math.sin(math.radians(rotation))
    dx, dy = (x1 - x2) / 2, (y1 - y2) / 2
    x1p, y1p = cos_phi * dx + sin_phi * dy, -sin_phi * dx + cos_phi * dy
    scale = x1p**2 / rx**2 + y1p**2 / ry**2
    if scale > 1:
        rx, ry = rx * math.sqrt(scale), ry * math.sqrt(scale)
    numerator = rx**2 * ry**2 - rx**2 * y1p**2 - ry**2 * x1p**2
    denominator = rx**2 * y1p**2 + ry**2 * x1p**2
    root = math.sqrt(max(0.0, numerator / denominator)) * (-1 if large == sweep else 1)
    cxp, cyp = root * rx * y1p / ry, -root * ry * x1p / rx
    cx = cos_phi * cxp - sin_phi * cyp + (x1 + x2) / 2
    cy = sin_phi * cxp + cos_phi * cyp + (y1 + y2) / 2
    start = math.atan2((y1p - cyp) / ry, (x1p - cxp) / rx)
    delta = math.atan2((-y1p - cyp) / ry, (-x1p - cxp) / rx) - start
    if sweep and delta < 0:
        delta += 2 * math.pi
    elif not sweep and delta > 0:
        delta -= 2 * math.pi
    points = []
    for k in range(1, samples + 1):
        angle = start + delta * k / samples
        ex, ey = rx * math.cos(angle), ry * math.sin(angle)
        points.append((cx + cos_phi * ex - sin_phi * ey, cy + sin_phi * ex + cos_phi * ey))
    return points


def split_path(d: str) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Path data ``d`` as standalone sub-paths, each with the box of its points (control points included).

    Every sub-path starts with an absolute ``M``, so it draws the same alone as inside the whole path.
    """
    scanner = _Scanner(d)
    subpaths: list[tuple[list[str], list[tuple[float, float]]]] = []
    x = y = start_x = start_y = 0.0
    command: str | None = None
    closed = True
    while not scanner.done():
        letter = scanner.command()
        if letter is not None:
            command = letter
        elif command is None:
            raise PathSyntaxError("path data must start with a command")
        lower = command.lower()
        if lower == "z":
            if subpaths:
                subpaths[-1][0].append("Z")
            x, y = start_x, start_y
            closed = True
            if letter is None:
                raise PathSyntaxError("numbers after Z")
            continue
        if lower != "m" and closed:
            subpaths.append(([f"M{_format([x, y])}"], [(x, y)]))  # drawing resumes at the last sub-path's start
            start_x, start_y = x, y
        closed = False
        args = [scanner.flag() if lower == "a" and k in (3, 4) else scanner.number() for k in range(_ARG_COUNTS[lower])]
        relative = command.islower()
        if lower == "m":
            x, y = (x + args[0], y + args[1]) if relative else (args[0], args[1])
            start_x, start_y = x, y
            subpaths.append(([f"M{_format([x, y])}"], [(x, y)]))
            command = "l" if relative else "L"  # further pairs after a moveto are line-tos
            continue
        tokens, points = subpaths[-1]
        tokens.append(command + _format(args))
        if lower == "h":
            x = x + args[0] if relative else args[0]
        elif lower == "v":
            y = y + args[0] if relative else args[0]
        elif lower == "a":
            end_x, end_y = (x + args[5], y + args[6]) if relative else (args[5], args[6])
            points += _arc_points(x, y, end_x, end_y, *args[:5])
            x, y = end_x, end_y
        else:
            for k in range(0, len(args), 2):
                px, py = (x + args[k], y + args[k + 1]) if relative else (args[k], args[k + 1])
                points.append((px, py))
            x, y = points[-1]
        points.append((x, y))
    result = []
    for tokens, points in subpaths:
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        result.append(("".join(tokens), (min(xs), min(ys), max(xs), max(ys))))
    return result
