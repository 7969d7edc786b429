"""A believable, generated population of mentors and mentees: the people of `mentorship demo`
and of the matching benchmarks.

Pure and seeded: the same `(n_mentors, n_mentees, seed)` gives the same people on any machine,
with no network and no data files beyond the skill vocabulary we ship. Each person's `profile`
is a body `PUT /v1/profiles/me` accepts (and a line of a JSON Lines import), built the way people
in a global company would fill it in:

- a home region weighted like such a company (Europe, the Americas, Asia-Pacific, some Africa),
  which gives the name, the IANA time zone and the local languages; English mostly besides;
- a role family (backend, data, design, product, leadership, sales...) which gives the skills
  (vocabulary names), titles, industries, goals and achievements;
- seniority with consistent years of experience and a career history that fits in them;
  mentors are mostly senior and know their family's skills well, mentees are earlier in their
  careers and want to learn what their family's seniors know;
- weekly windows in local working hours or evenings, channels, style, values from the shared
  vocabulary; mentors have a capacity of 1-5 and an openness.

Fast enough for benchmarks: 100,000 people in a few seconds (no pydantic here; the tests check
that bodies validate).
"""

import gc
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any, Final, TypeVar

from services.profiles.profiles.schemas import VALUE_VOCABULARY
from services.profiles.skills.vocabulary import vocabulary

T = TypeVar("T")
Random = Callable[[], float]  # a seeded generator's `random`, the only draw used

EMAIL_DOMAIN: Final = "demo.example"
# Career dates end here, so a seed gives the same people whenever it runs.
TODAY: Final = date(2026, 12, 1)


@dataclass(frozen=True, slots=True)
class Region:
    weight: float
    zones: tuple[tuple[str, float, str], ...]  # IANA zone, weight in the region, language
    english: float  # share of those whose language is not English who also speak it
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]


def _names(listed: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in listed.split(","))


_REGIONS: Final = (
    Region(
        0.09,
        (("Europe/London", 0.8, "en"), ("Europe/Dublin", 0.2, "en")),
        1.0,
        _names(
            "Oliver, Amelia, Harry, Isla, George, Ava, Noah, Emily, Jack, Sophie, Aoife, Liam, "
            "Grace, Thomas, Charlotte, Callum"
        ),
        _names(
            "Smith, Jones, Taylor, Brown, Williams, Wilson, Evans, Murphy, Kelly, Walsh, Hughes, "
            "Clarke, Patel, Khan, Wright, Byrne"
        ),
    ),
    Region(
        0.13,
        (
            ("Europe/Berlin", 0.7, "de"),
            ("Europe/Vienna", 0.15, "de"),
            ("Europe/Zurich", 0.15, "de"),
        ),
        0.9,
        _names(
            "Lukas, Hannah, Felix, Lea, Jonas, Mia, Leon, Anna, Maximilian, Lena, Paul, Sophie, "
            "Elias, Marie, Niklas, Clara"
        ),
        _names(
            "Mueller, Schmidt, Schneider, Fischer, Weber, Meyer, Wagner, Becker, Hoffmann, Koch, "
            "Richter, Huber, Gruber, Keller, Brunner, Wolf"
        ),
    ),
    Region(
        0.08,
        (("Europe/Paris", 0.85, "fr"), ("Europe/Brussels", 0.15, "fr")),
        0.8,
        _names(
            "Louis, Camille, Gabriel, Chloe, Hugo, Manon, Arthur, Ines, Jules, Lea, Raphael, "
            "Sarah, Nathan, Juliette, Theo, Margaux"
        ),
        _names(
            "Martin, Bernard, Dubois, Durand, Lefebvre, Moreau, Laurent, Simon, Michel, Garcia, "
            "Roux, Fournier, Girard, Bonnet, Dupont, Lambert"
        ),
    ),
    Region(
        0.06,
        (("Europe/Madrid", 0.7, "es"), ("Europe/Lisbon", 0.3, "pt")),
        0.75,
        _names(
            "Lucia, Hugo, Martina, Pablo, Sofia, Alejandro, Carmen, Daniel, Joao, Beatriz, Tiago, "
            "Ines, Diego, Elena, Mateo, Marta"
        ),
        _names(
            "Garcia, Fernandez, Gonzalez, Rodriguez, Lopez, Martinez, Sanchez, Perez, Silva, "
            "Santos, Ferreira, Costa, Romero, Navarro, Oliveira, Ruiz"
        ),
    ),
    Region(
        0.09,
        (
            ("Europe/Amsterdam", 0.3, "nl"),
            ("Europe/Stockholm", 0.2, "sv"),
            ("Europe/Warsaw", 0.3, "pl"),
            ("Europe/Rome", 0.2, "it"),
        ),
        0.9,
        _names(
            "Daan, Emma, Sem, Julia, Erik, Astrid, Jakub, Zofia, Piotr, Maja, Lorenzo, Giulia, "
            "Matteo, Francesca, Lars, Ingrid"
        ),
        _names(
            "de Jong, Jansen, Bakker, Visser, Andersson, Johansson, Nilsson, Nowak, Kowalski, "
            "Wisniewski, Rossi, Russo, Ferrari, Esposito, Lindqvist, Smit"
        ),
    ),
    Region(
        0.22,
        (
            ("America/New_York", 0.38, "en"),
            ("America/Chicago", 0.2, "en"),
            ("America/Denver", 0.08, "en"),
            ("America/Los_Angeles", 0.26, "en"),
            ("America/Toronto", 0.08, "en"),
        ),
        1.0,
        _names(
            "James, Olivia, Michael, Emma, William, Sophia, Ethan, Madison, Daniel, Abigail, "
            "Tyler, Hannah, Jordan, Chloe, Marcus, Jasmine"
        ),
        _names(
            "Johnson, Williams, Miller, Davis, Anderson, Thomas, Jackson, White, Harris, Martin, "
            "Thompson, Robinson, Lewis, Walker, Nguyen, Kim"
        ),
    ),
    Region(
        0.10,
        (
            ("America/Sao_Paulo", 0.45, "pt-BR"),
            ("America/Mexico_City", 0.25, "es"),
            ("America/Bogota", 0.15, "es"),
            ("America/Argentina/Buenos_Aires", 0.15, "es"),
        ),
        0.7,
        _names(
            "Gabriel, Ana, Lucas, Mariana, Matheus, Juliana, Santiago, Valentina, Sebastian, "
            "Camila, Rafael, Fernanda, Diego, Isabela, Bruno, Luciana"
        ),
        _names(
            "Silva, Santos, Oliveira, Souza, Pereira, Lima, Hernandez, Gomez, Rodriguez, Ramirez, "
            "Torres, Alves, Carvalho, Castro, Vargas, Rocha"
        ),
    ),
    Region(
        0.11,
        (("Asia/Kolkata", 0.85, "hi"), ("Asia/Dubai", 0.15, "ar")),
        0.98,
        _names(
            "Aarav, Ananya, Vihaan, Diya, Arjun, Priya, Rohan, Kavya, Aditya, Meera, Omar, Layla, "
            "Karthik, Sneha, Rahul, Fatima"
        ),
        _names(
            "Sharma, Patel, Iyer, Reddy, Gupta, Nair, Singh, Kumar, Rao, Mehta, Joshi, Menon, "
            "Haddad, Mansour, Das, Bose"
        ),
    ),
    Region(
        0.08,
        (
            ("Asia/Singapore", 0.3, "zh"),
            ("Asia/Shanghai", 0.2, "zh"),
            ("Asia/Tokyo", 0.25, "ja"),
            ("Asia/Seoul", 0.15, "ko"),
            ("Asia/Manila", 0.1, "fil"),
        ),
        0.8,
        _names(
            "Wei, Mei, Jun, Xin, Haruto, Yui, Sota, Hina, Minjun, Seoyeon, Jian, Li, Ren, Sakura, "
            "Jisoo, Kai"
        ),
        _names(
            "Wang, Li, Zhang, Chen, Liu, Tan, Lim, Sato, Suzuki, Takahashi, Tanaka, Kim, Park, "
            "Lee, Choi, Santos"
        ),
    ),
    Region(
        0.04,
        (("Australia/Sydney", 0.7, "en"), ("Pacific/Auckland", 0.3, "en")),
        1.0,
        _names(
            "Jack, Charlotte, Oliver, Mia, William, Ruby, Lachlan, Zoe, Cooper, Matilda, Riley, "
            "Isla, Nikau, Aria, Hamish, Georgia"
        ),
        _names(
            "Smith, Jones, Williams, Brown, Wilson, Taylor, Nguyen, Ngata, Anderson, Thompson, "
            "Walker, Ryan, Campbell, Kelly, Mitchell, Te Rangi"
        ),
    ),
    Region(
        0.04,
        (
            ("Africa/Lagos", 0.4, "en"),
            ("Africa/Nairobi", 0.3, "sw"),
            ("Africa/Johannesburg", 0.3, "af"),
        ),
        1.0,
        _names(
            "Chinedu, Amara, Tunde, Ngozi, Kwame, Wanjiru, Thabo, Zanele, Femi, Aisha, Kofi, Nia, "
            "Sipho, Lerato, Emeka, Imani"
        ),
        _names(
            "Okafor, Adeyemi, Eze, Balogun, Mwangi, Otieno, Kamau, Nkosi, Dlamini, Mokoena, van "
            "der Merwe, Botha, Mensah, Abubakar, Ndlovu, Achieng"
        ),
    ),
)


@dataclass(frozen=True, slots=True)
class Family:
    """A role family: what its people know, what they are called and what they want."""

    name: str
    weight: float
    core: tuple[str, ...]  # vocabulary skills seniors of the family know
    titles: tuple[str, ...]  # by rising seniority: junior, mid, senior, lead/principal, executive
    industries: tuple[str, ...]
    goals: tuple[str, ...]  # goal titles
    achievements: tuple[str, ...]


def _items(listed: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in listed.split(";"))


_FAMILIES: Final = (
    Family(
        "backend",
        0.20,
        _items(
            "Python; Go; Java; PostgreSQL; Distributed systems; System design; Microservices; API "
            "design; Apache Kafka; Redis; Docker; Kubernetes; Software architecture; Concurrency; "
            "Code review; Test-driven development; Performance optimization; Observability; "
            "Domain-driven design; Rust"
        ),
        _items(
            "Junior Backend Engineer; Backend Engineer; Senior Backend Engineer; Staff Engineer; "
            "VP of Engineering"
        ),
        ("Software", "Fintech", "E-commerce", "Telecommunications", "Logistics"),
        _items(
            "Become a senior backend engineer; Design systems that scale; Lead the architecture "
            "of a new service; Get better at code review"
        ),
        _items(
            "Migrated the monolith to services; Cut p99 latency in half; Led the payments "
            "platform rewrite; Open-sourced our job queue"
        ),
    ),
    Family(
        "frontend",
        0.09,
        _items(
            "TypeScript; JavaScript; React; Next.js; CSS; HTML; Accessibility; Web performance "
            "optimization; Design systems; GraphQL; Frontend development; End-to-end testing; "
            "Vue.js; Internationalization"
        ),
        _items(
            "Junior Frontend Developer; Frontend Engineer; Senior Frontend Engineer; Principal "
            "Frontend Engineer; Head of Web"
        ),
        ("Software", "E-commerce", "Media", "Education", "Travel"),
        _items(
            "Ship an accessible design system; Master modern React; Make our web app fast on slow "
            "phones; Grow into a frontend tech lead"
        ),
        _items(
            "Built the company design system; Raised the Lighthouse score to 98; Led the move to "
            "TypeScript; Made checkout fully accessible"
        ),
    ),
    Family(
        "data",
        0.15,
        _items(
            "Machine learning; Data science; Statistics; pandas; SQL; Data engineering; Apache "
            "Spark; Experimentation; A/B testing; Deep learning; PyTorch; Data visualization; "
            "Causal inference; Feature engineering; dbt; Large language models; Machine learning "
            "operations; Data modeling"
        ),
        _items(
            "Junior Data Analyst; Data Scientist; Senior Data Scientist; Principal Data "
            "Scientist; Chief Data Officer"
        ),
        ("Software", "Healthcare", "Fintech", "Retail", "Energy"),
        _items(
            "Move from analytics to machine learning; Put a model in production; Run trustworthy "
            "experiments; Learn causal inference"
        ),
        _items(
            "Built the churn model used company-wide; Designed the experimentation platform; "
            "Published at NeurIPS; Cut forecasting error by 30 %"
        ),
    ),
    Family(
        "platform",
        0.08,
        _items(
            "Kubernetes; Terraform; Amazon Web Services; Site reliability engineering; "
            "Observability; Incident management; Linux; Continuous integration and delivery; "
            "Cloud architecture; Infrastructure as code; Platform engineering; Cloud security; "
            "Disaster recovery; Go"
        ),
        _items(
            "Junior DevOps Engineer; Site Reliability Engineer; Senior SRE; Principal Platform "
            "Engineer; Director of Infrastructure"
        ),
        ("Software", "Telecommunications", "Fintech", "Cloud services"),
        _items(
            "Run production with confidence; Build an internal developer platform; Lead incident "
            "response; Cut our cloud bill"
        ),
        _items(
            "Took availability to 99.99 %; Moved us to Kubernetes without downtime; Halved the "
            "cloud bill; Wrote the incident playbook"
        ),
    ),
    Family(
        "mobile",
        0.05,
        _items(
            "iOS development; Android development; Swift; Kotlin; React Native; Flutter; Mobile "
            "app design; Mobile development; Performance optimization; Test automation"
        ),
        _items(
            "Junior Mobile Developer; Mobile Engineer; Senior iOS Engineer; Lead Mobile Engineer; "
            "Head of Mobile"
        ),
        ("Software", "Media", "Travel", "Healthcare"),
        ("Publish my first app", "Go cross-platform", "Lead our mobile team"),
        _items(
            "Built an app with 5 million users; Rewrote the app in SwiftUI; Cut crash rate to 0.1 %"
        ),
    ),
    Family(
        "security",
        0.04,
        _items(
            "Application security; Cybersecurity; Threat modeling; Penetration testing; Identity "
            "and access management; Cloud security; Incident response; Cryptography; SOC 2 "
            "compliance; Security operations"
        ),
        _items(
            "Security Analyst; Security Engineer; Senior Security Engineer; Principal Security "
            "Architect; Chief Information Security Officer"
        ),
        ("Fintech", "Healthcare", "Software", "Public sector"),
        ("Move into application security", "Lead a SOC 2 audit", "Threat-model our platform"),
        _items(
            "Led the SOC 2 Type II audit; Found and fixed a critical auth flaw; Built the "
            "security champions program"
        ),
    ),
    Family(
        "design",
        0.08,
        _items(
            "User experience design; Product design; UX research; Figma; Prototyping; Design "
            "systems; Usability testing; Interaction design; Accessibility; Visual design; Design "
            "thinking; Information architecture; Design critique; UX writing"
        ),
        _items(
            "Junior Product Designer; Product Designer; Senior Product Designer; Principal "
            "Designer; VP of Design"
        ),
        ("Software", "E-commerce", "Media", "Education", "Healthcare"),
        _items(
            "Grow into a senior product designer; Run my own user research; Build a design "
            "system; Present design work to executives"
        ),
        _items(
            "Redesigned onboarding, +20 % activation; Founded the research practice; Won a Red "
            "Dot award; Built our design system"
        ),
    ),
    Family(
        "product",
        0.10,
        _items(
            "Product management; Product strategy; Product discovery; Product roadmapping; "
            "Prioritization; Product analytics; Stakeholder management; User stories; "
            "Go-to-market strategy; Pricing strategy; Competitive analysis; Product-market fit; "
            "Experimentation; Jobs to be done"
        ),
        _items(
            "Associate Product Manager; Product Manager; Senior Product Manager; Group Product "
            "Manager; Chief Product Officer"
        ),
        ("Software", "Fintech", "E-commerce", "Healthcare", "Media"),
        _items(
            "Become a senior product manager; Own a product strategy; Get better at discovery; "
            "Move from engineering into product"
        ),
        _items(
            "Launched a product to 1 million users; Found product-market fit for a new line; Grew "
            "revenue 3x in two years; Introduced continuous discovery"
        ),
    ),
    Family(
        "leadership",
        0.08,
        _items(
            "Engineering management; People management; Leadership; Hiring; Performance "
            "management; Coaching; Organizational design; Strategic planning; Change management; "
            "Stakeholder management; Building high-performing teams; Delegation; Difficult "
            "conversations; Managing managers; Technical leadership"
        ),
        _items(
            "Team Lead; Engineering Manager; Senior Engineering Manager; "
            "Director of Engineering; CTO"
        ),
        ("Software", "Fintech", "Consulting", "Manufacturing", "Healthcare"),
        _items(
            "Become a first-time manager; Manage managers; Lead through a reorganisation; Build a "
            "high-performing team"
        ),
        _items(
            "Grew the team from 5 to 60; Led the engineering reorganisation; Cut regretted "
            "attrition in half; Built the career framework"
        ),
    ),
    Family(
        "sales",
        0.06,
        _items(
            "Sales; Enterprise sales; B2B sales; Negotiation; Account management; Sales pipeline "
            "management; Consultative selling; Closing deals; Customer success; Salesforce; Sales "
            "forecasting; Business development; Objection handling"
        ),
        _items(
            "Sales Development Representative; Account Executive; Senior Account Executive; Sales "
            "Director; Chief Revenue Officer"
        ),
        ("Software", "Manufacturing", "Telecommunications", "Consulting"),
        _items(
            "Close my first enterprise deal; Move into sales leadership; Negotiate with confidence"
        ),
        _items(
            "President's Club three years running; Opened the DACH market; Closed the largest "
            "deal in company history"
        ),
    ),
    Family(
        "marketing",
        0.04,
        _items(
            "Marketing strategy; Content marketing; Growth marketing; Product marketing; Brand "
            "strategy; Search engine optimization; Marketing analytics; Demand generation; "
            "Copywriting; Positioning and messaging"
        ),
        _items(
            "Marketing Coordinator; Marketing Manager; Senior Product Marketing Manager; Head of "
            "Marketing; Chief Marketing Officer"
        ),
        ("Software", "Retail", "Media", "E-commerce"),
        ("Lead a product launch", "Build a content engine", "Learn growth marketing"),
        ("Launched the brand refresh", "Tripled organic traffic", "Built the demand engine"),
    ),
    Family(
        "finance",
        0.03,
        _items(
            "Financial modeling; Financial planning and analysis; Budgeting; Accounting; "
            "Corporate finance; Valuation; SaaS metrics; Financial reporting; Unit economics; "
            "Risk management"
        ),
        _items(
            "Financial Analyst; Senior Financial Analyst; Finance Manager; Director of Finance; CFO"
        ),
        ("Fintech", "Banking", "Software", "Manufacturing"),
        _items(
            "Own the company forecast; Become a finance business partner; Prepare for a fundraise"
        ),
        _items(
            "Ran the Series C data room; Built the three-statement model; Cut month-end close to "
            "five days"
        ),
    ),
)

_SENIORITY: Final = (
    # seniority, years from-to, title index
    ("junior", 0, 3, 0),
    ("mid", 2, 7, 1),
    ("senior", 5, 14, 2),
    ("lead", 8, 18, 3),
    ("principal", 12, 25, 3),
    ("executive", 15, 32, 4),
)
_MENTOR_SENIORITY: Final = (0.0, 0.08, 0.4, 0.24, 0.16, 0.12)
_MENTEE_SENIORITY: Final = (0.38, 0.42, 0.16, 0.04, 0.0, 0.0)

_COMPANIES: Final = (
    "Northwind",
    "Contoso",
    "Globex",
    "Initech",
    "Umbrella Labs",
    "Stark Analytics",
    "Hooli",
    "Vandelay Industries",
    "Acme",
    "Soylent Systems",
    "Wayne Digital",
    "Cyberdyne",
    "Tyrell",
    "Oscorp Health",
    "Pied Piper",
    "Aperture",
    "Massive Dynamic",
    "Wonka Retail",
    "Gringotts Bank",
    "Monsters Energy Co",
    "Blue Sun",
    "Dunder Mifflin",
    "Prestige Worldwide",
    "Nakatomi Trading",
)
_WEEKDAYS: Final = (0, 1, 2, 3, 4)
_CHANNELS: Final = ("video", "voice", "chat", "email", "in_person")
_CHANNEL_WEIGHTS: Final = (0.9, 0.35, 0.55, 0.3, 0.15)
_STYLES: Final = ("direct", "supportive", "socratic", "structured")
_RESPONSE_HOURS: Final = (12, 24, 24, 48, 48, 72)
_SOFT: Final = (
    "Public speaking",
    "Negotiation",
    "Giving and receiving feedback",
    "Stakeholder management",
    "Written communication",
    "Conflict resolution",
    "Storytelling",
    "Time management",
    "Career planning",
    "Managing up",
    "Mentoring",
    "Coaching",
)
_BIOS: Final = (
    "{years} years in {industry}, mostly as {title_lower}. I care about {value} and about "
    "leaving teams better than I found them.",
    "I work on {skill_a} and {skill_b} at {company}. Before that I spent time in {industry}. "
    "Happy to talk about careers, craft and {value}.",
    "{title} based in {city}. Most of my work is {skill_a}; lately a lot of {skill_b}.",
)
_MENTEE_BIOS: Final = (
    "{title} at {company}, {years} years in. I want to get much better at {skill_a} "
    "and understand {skill_b}.",
    "Early in my {industry} career and curious about {skill_a}. I value {value}.",
    "{title} in {city}. Looking for someone who has done {skill_a} at scale.",
)
_GOAL_DESCRIPTIONS: Final = (
    "In the next {months} months I want to be confident with {skill_a} and know enough "
    "{skill_b} to make good calls.",
    "My manager and I agreed I should grow in {skill_a}; I learn best from someone who has "
    "done it and can review my work.",
    "I keep getting stuck on {skill_a}. I would like regular sessions to work through real "
    "problems, and some pointers on {skill_b}.",
)


@dataclass(frozen=True, slots=True)
class Person:
    """Someone to create: a user (email, display name, roles) and their profile body."""

    email: str
    display_name: str
    roles: tuple[str, ...]
    profile: dict[str, Any]
    family: str
    region: int  # index into the regions, for benchmarks that plant people near others

    def import_line(self) -> dict[str, Any]:
        """This person as a line of a JSON Lines import (docs/api.md, "Bulk imports")."""
        return {
            "email": self.email,
            "display_name": self.display_name,
            "roles": list(self.roles),
            "profile": self.profile,
        }


@dataclass(frozen=True, slots=True)
class _Tables:
    """Everything drawn from, worked out once: cumulative weights and checked skill names."""

    region_weights: tuple[float, ...]
    zone_weights: tuple[tuple[float, ...], ...]  # by region
    seniority_weights: tuple[tuple[float, ...], tuple[float, ...]]  # mentees, mentors
    family_weights: tuple[float, ...]
    families: tuple[Family, ...]
    soft: tuple[str, ...]


@cache
def _tables() -> _Tables:
    known = {skill.name for skill in vocabulary()}
    families = tuple(
        Family(
            f.name,
            f.weight,
            tuple(s for s in f.core if s in known),
            f.titles,
            f.industries,
            f.goals,
            f.achievements,
        )
        for f in _FAMILIES
    )
    return _Tables(
        region_weights=_cumulative([r.weight for r in _REGIONS]),
        zone_weights=tuple(_cumulative([zone[1] for zone in r.zones]) for r in _REGIONS),
        seniority_weights=(
            _cumulative(list(_MENTEE_SENIORITY)),
            _cumulative(list(_MENTOR_SENIORITY)),
        ),
        family_weights=_cumulative([f.weight for f in _FAMILIES]),
        families=families,
        soft=tuple(s for s in _SOFT if s in known),
    )


def _cumulative(weights: list[float]) -> tuple[float, ...]:
    total, running = sum(weights), 0.0
    out = []
    for weight in weights:
        running += weight / total
        out.append(running)
    out[-1] = 1.0
    return tuple(out)


def families() -> tuple[Family, ...]:
    """The role families, their skills limited to names the vocabulary knows."""
    return _tables().families


def regions() -> tuple[Region, ...]:
    return _REGIONS


def _choice(rand: Random, items: Sequence[T]) -> T:
    return items[int(rand() * len(items))]


def _int(rand: Random, low: int, high: int) -> int:
    """low..high, both included."""
    return low + int(rand() * (high - low + 1))


def _sample(rand: Random, items: Sequence[T], k: int) -> list[T]:
    """k distinct items (all of them, shuffled, if there are no more), from floats only:
    `random.sample` and `randint` cost several times more per draw, which 100,000 people feel."""
    n = len(items)
    if k >= n:
        chosen = list(range(n))
        for i in range(n - 1, 0, -1):
            j = int(rand() * (i + 1))
            chosen[i], chosen[j] = chosen[j], chosen[i]
        return [items[i] for i in chosen]
    picked: list[int] = []
    while len(picked) < k:
        i = int(rand() * n)
        if i not in picked:
            picked.append(i)
    return [items[i] for i in picked]


def _pick(rand: Random, cumulative: tuple[float, ...]) -> int:
    draw = rand()
    for index, bound in enumerate(cumulative):
        if draw <= bound:
            return index
    return len(cumulative) - 1


def _weighted(rand: Random, items: tuple[tuple[str, float], ...]) -> str:
    draw, running = rand(), 0.0
    for item, weight in items:
        running += weight
        if draw <= running:
            return item
    return items[-1][0]


_HHMM: Final = tuple(f"{m // 60:02d}:{m % 60:02d}" for m in range(0, 24 * 60, 30))


def _hhmm(minute: int) -> str:
    return _HHMM[minute // 30]  # windows start and end on the half hour


def _weekly(rand: Random) -> list[dict[str, Any]]:
    """Windows in the person's local time: working hours, evenings, or some of each."""
    kind = rand()
    windows = []
    days = sorted(_sample(rand, _WEEKDAYS, _int(rand, 1, 3)))
    for day in days:
        if kind < 0.55 or (kind < 0.8 and day % 2 == 0):
            start = _choice(rand, (8, 9, 10, 11, 13, 14, 15, 16)) * 60 + _choice(rand, (0, 30))
            length = _choice(rand, (60, 60, 90, 120))
        else:
            start = _choice(rand, (17, 18, 19, 20)) * 60 + _choice(rand, (0, 30))
            length = _choice(rand, (60, 90, 120))
        end = min(start + length, 23 * 60 + 30)
        windows.append({"weekday": day, "start": _hhmm(start), "end": _hhmm(end)})
    if rand() < 0.12:  # some like a Saturday morning
        windows.append({"weekday": 5, "start": "10:00", "end": "12:00"})
    return windows


def _languages(rand: Random, region: Region, zone_index: int) -> list[str]:
    own = region.zones[zone_index][2]
    languages = [own]
    if own != "en" and rand() < region.english:
        languages.append("en")
    if rand() < 0.15:
        extra = _choice(rand, ("es", "fr", "de", "pt", "zh", "ja", "it", "ar"))
        if extra not in languages:
            languages.append(extra)
    return languages


def _career(
    rand: Random, family: Family, title_index: int, years: int, company: str
) -> list[dict[str, Any]]:
    """Positions that fit in the years of experience, the current one last and open."""
    positions = []
    count = 1 if years < 3 else _int(rand, 2, 3) if years < 12 else _int(rand, 2, 4)
    start_year = TODAY.year - max(years, 1)
    span = max(years, 1) / count
    for index in range(count):
        begins = date(int(start_year + index * span), _int(rand, 1, 12), 1)
        if begins > TODAY:
            begins = date(TODAY.year, 1, 1)
        title = family.titles[max(0, title_index - (count - 1 - index))]
        current = index == count - 1
        if current:
            ends = None
            organisation = company
        else:
            ends_year = int(start_year + (index + 1) * span)
            ends = date(min(ends_year, TODAY.year), _int(rand, 1, 12), 1)
            if ends < begins:
                ends = begins
            organisation = _choice(rand, _COMPANIES)
        position: dict[str, Any] = {
            "title": title,
            "organisation": organisation,
            "start": begins.isoformat(),
        }
        if ends is not None:
            position["end"] = ends.isoformat()
        positions.append(position)
    return positions


def _other(skills: list[str], skill: str) -> str:
    """Another skill of the list than `skill` (lists here have two at least)."""
    return skills[1] if skills[0] == skill else skills[0]


def _person(rand: Random, index: int, mentor: bool, tables: _Tables) -> Person:
    region_index = _pick(rand, tables.region_weights)
    region = _REGIONS[region_index]
    zone_index = _pick(rand, tables.zone_weights[region_index])
    timezone = region.zones[zone_index][0]
    family = tables.families[_pick(rand, tables.family_weights)]
    level = _pick(rand, tables.seniority_weights[mentor])
    seniority, low, high, title_index = _SENIORITY[level]
    years = _int(rand, low, high)
    first, last = _choice(rand, region.first_names), _choice(rand, region.last_names)
    display_name = f"{first} {last}"
    local_part = f"{first}.{last}".lower().replace(" ", "")
    email = f"{local_part}.{index}@{EMAIL_DOMAIN}"
    title = family.titles[title_index]
    company = _choice(rand, _COMPANIES)
    industries = _sample(rand, family.industries, 1 if rand() < 0.6 else 2)
    values = _sample(rand, VALUE_VOCABULARY, _int(rand, 2, 4))
    core = family.core

    skills: list[dict[str, Any]] = []
    if mentor:
        known = _sample(rand, core, min(len(core), _int(rand, 4, 10)))
        base = 3 if level <= 2 else 4
        skills = [
            {"name": name, "level": min(5, base + _int(rand, 0, 2)), "kind": "expertise"}
            for name in known
        ]
        if len(skills) < 12 and rand() < 0.6:
            skills.append(
                {"name": _choice(rand, tables.soft), "level": _int(rand, 3, 5), "kind": "expertise"}
            )
        focus = [s["name"] for s in skills[:2]]
    else:
        wanted = _sample(rand, core, _int(rand, 2, 5))
        rest = [s for s in core if s not in wanted]
        has = _sample(rand, rest, min(len(rest), _int(rand, 2, 5)))
        skills = [
            {"name": name, "level": _int(rand, 1, 2), "kind": "wants_to_learn"} for name in wanted
        ] + [{"name": name, "level": _int(rand, 1, 3), "kind": "expertise"} for name in has]
        focus = wanted[:2]
    skill_a, skill_b = focus[0], focus[-1]

    city = timezone.rpartition("/")[2].replace("_", " ")
    words = {
        "years": years,
        "industry": industries[0].lower(),
        "title": title,
        "title_lower": title.lower(),
        "value": values[0],
        "skill_a": skill_a,
        "skill_b": skill_b,
        "company": company,
        "city": city,
    }
    bio = _choice(rand, _BIOS if mentor else _MENTEE_BIOS).format(**words)
    channels = [c for c, w in zip(_CHANNELS, _CHANNEL_WEIGHTS, strict=True) if rand() < w]
    profile: dict[str, Any] = {
        "headline": f"{title} at {company}",
        "bio": bio,
        "timezone": timezone,
        "languages": _languages(rand, region, zone_index),
        "industries": industries,
        "years_experience": years,
        "seniority": seniority,
        "career_history": _career(rand, family, title_index, years, company),
        "achievements": [
            {"title": text, "year": TODAY.year - _int(rand, 0, max(years, 1) // 2 + 1)}
            for text in _sample(rand, family.achievements, _int(rand, 1, 2) if mentor else 0)
        ],
        "values": values,
        "communication": {
            "channels": channels or ["video"],
            "style": _choice(rand, _STYLES),
            "response_time_hours": _choice(rand, _RESPONSE_HOURS),
        },
        "availability": {
            "weekly": _weekly(rand),
            "hours_per_month": _choice(rand, (2, 4, 4, 6, 8, 10)),
            "public": rand() < 0.9,
        },
        "skills": skills,
    }
    if mentor:
        profile["mentor"] = {
            "capacity": _int(rand, 1, 5),
            "accepting_requests": rand() < 0.92,
            "openness": round(0.2 + rand() * 0.75, 2),
        }
    else:
        goal_count = _int(rand, 1, 3)
        goals = []
        for goal_title in _sample(rand, family.goals, min(goal_count, len(family.goals))):
            targets = _sample(rand, wanted, min(len(wanted), _int(rand, 1, 3)))
            months = _choice(rand, (3, 6, 6, 9, 12))
            goals.append(
                {
                    "title": goal_title,
                    "description": _choice(rand, _GOAL_DESCRIPTIONS).format(
                        months=months, skill_a=targets[0], skill_b=_other(wanted, targets[0])
                    ),
                    "target_skills": targets,
                    "horizon_months": months,
                }
            )
        profile["mentee"] = {"goals": goals}
    return Person(
        email=email,
        display_name=display_name,
        roles=("mentor",) if mentor else ("mentee",),
        profile=profile,
        family=family.name,
        region=region_index,
    )


def people(n_mentors: int, n_mentees: int, seed: int) -> list[Person]:
    """`n_mentors` mentors, then `n_mentees` mentees; the same for the same arguments. Emails
    are unique (a running number in each)."""
    if n_mentors < 0 or n_mentees < 0:
        raise ValueError("counts must not be negative")
    rand = random.Random(seed).random
    tables = _tables()
    # Millions of small dicts and lists, none in a cycle: the cyclic collector would walk the
    # growing population again and again, doubling the time for nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return [_person(rand, i, True, tables) for i in range(n_mentors)] + [
            _person(rand, n_mentors + i, False, tables) for i in range(n_mentees)
        ]
    finally:
        if collecting:
            gc.enable()
