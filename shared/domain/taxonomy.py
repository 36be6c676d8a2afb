"""The controlled vocabularies of Grant Match: sectors, applicant types and friends.

One module holds every list so that the API, the web form, the matcher and the emails
cannot disagree about what a slug means.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class Sector(StrEnum):
    """Thematic sectors a grant funds or a CSO works in."""

    DIGITAL_SECURITY = "digital-security"
    HUMAN_RIGHTS = "human-rights"
    MEDIA_FREEDOM = "media-freedom"
    CIVIC_SPACE = "civic-space"
    EDUCATION = "education"
    HEALTH = "health"
    ENVIRONMENT = "environment"
    CLIMATE = "climate"
    AGRICULTURE = "agriculture"
    LIVELIHOODS = "livelihoods"
    GENDER_EQUALITY = "gender-equality"
    YOUTH = "youth"
    INDIGENOUS_PEOPLES = "indigenous-peoples"
    DISABILITY_INCLUSION = "disability-inclusion"
    MIGRATION = "migration"
    WATER_SANITATION = "water-sanitation"
    DISASTER_RESPONSE = "disaster-response"
    PEACEBUILDING = "peacebuilding"
    TECH_CAPACITY = "tech-capacity"
    ORGANISATIONAL_DEVELOPMENT = "organisational-development"


SECTOR_LABELS: Final[dict[Sector, str]] = {
    Sector.DIGITAL_SECURITY: "Digital security",
    Sector.HUMAN_RIGHTS: "Human rights",
    Sector.MEDIA_FREEDOM: "Media freedom",
    Sector.CIVIC_SPACE: "Civic space",
    Sector.EDUCATION: "Education",
    Sector.HEALTH: "Health",
    Sector.ENVIRONMENT: "Environment",
    Sector.CLIMATE: "Climate",
    Sector.AGRICULTURE: "Agriculture",
    Sector.LIVELIHOODS: "Livelihoods",
    Sector.GENDER_EQUALITY: "Gender equality",
    Sector.YOUTH: "Youth",
    Sector.INDIGENOUS_PEOPLES: "Indigenous peoples",
    Sector.DISABILITY_INCLUSION: "Disability inclusion",
    Sector.MIGRATION: "Migration",
    Sector.WATER_SANITATION: "Water and sanitation",
    Sector.DISASTER_RESPONSE: "Disaster response",
    Sector.PEACEBUILDING: "Peacebuilding",
    Sector.TECH_CAPACITY: "Technology capacity",
    Sector.ORGANISATIONAL_DEVELOPMENT: "Organisational development",
}


class ApplicantType(StrEnum):
    """Who may apply. Unregistered groups are first-class, not an afterthought."""

    REGISTERED_NGO = "registered_ngo"
    UNREGISTERED_GROUP = "unregistered_group"
    SOCIAL_ENTERPRISE = "social_enterprise"
    NETWORK = "network"
    ACADEMIC = "academic"
    INDIVIDUAL = "individual"


APPLICANT_TYPE_LABELS: Final[dict[ApplicantType, str]] = {
    ApplicantType.REGISTERED_NGO: "Registered NGO",
    ApplicantType.UNREGISTERED_GROUP: "Unregistered group",
    ApplicantType.SOCIAL_ENTERPRISE: "Social enterprise",
    ApplicantType.NETWORK: "Network or coalition",
    ApplicantType.ACADEMIC: "Academic institution",
    ApplicantType.INDIVIDUAL: "Individual",
}


class Visibility(StrEnum):
    """Who may see a project: everyone, signed-in funders only, or nobody but its owner."""

    PUBLIC = "public"
    FUNDERS = "funders"
    PRIVATE = "private"


class Frequency(StrEnum):
    """How often a profile wants alerts."""

    INSTANT = "instant"
    WEEKLY = "weekly"


class TargetKind(StrEnum):
    """What a grant can be matched with."""

    PROFILE = "profile"
    PROJECT = "project"


#: The countries the product was asked for; any ISO 3166-1 alpha-2 code is accepted.
MEKONG_COUNTRIES: Final[dict[str, str]] = {
    "KH": "Cambodia",
    "LA": "Laos",
    "MM": "Myanmar",
    "TH": "Thailand",
    "VN": "Vietnam",
}

#: The languages the product speaks (ISO 639-1), English first as the fallback.
PRODUCT_LANGUAGES: Final[dict[str, str]] = {
    "en": "English",
    "km": "ភាសាខ្មែរ",
    "lo": "ພາສາລາວ",
    "my": "မြန်မာဘာသာ",
    "th": "ภาษาไทย",
    "vi": "Tiếng Việt",
}

#: Currencies shown side by side in the region.
REGIONAL_CURRENCIES: Final[tuple[str, ...]] = ("KHR", "LAK", "MMK", "THB", "VND", "USD", "EUR")


def sector_label(slug: str) -> str:
    """Human label of a sector slug (the slug itself if unknown)."""
    try:
        return SECTOR_LABELS[Sector(slug)]
    except ValueError:
        return slug


def applicant_type_label(slug: str) -> str:
    """Human label of an applicant type slug (the slug itself if unknown)."""
    try:
        return APPLICANT_TYPE_LABELS[ApplicantType(slug)]
    except ValueError:
        return slug
