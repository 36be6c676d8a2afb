"""Projects with plans for the export tests: the training-of-trainers plan, in English and
in Khmer, and single statements in Lao, Burmese and Thai (stacked consonants, medials,
vowels drawn before their consonant) to check shaping."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from shared.domain.logframe import Logframe
from shared.domain.models import Project

NOW = datetime(2026, 12, 1, tzinfo=UTC)

ENGLISH: dict[str, Any] = {
    "title": "Digital security trainers for the Mekong",
    "summary": "Train 20 people in communities around Laos, Myanmar and Cambodia in digital "
    "security, so that they train others.",
    "goal": ("Communities in the Mekong region are safer online", "Incidents reported", "12", "4"),
    "purpose": (
        "Trainers pass digital security on to their communities",
        "People reached",
        "0",
        "400",
    ),
    "outputs": [
        (
            "20 community trainers trained in digital security",
            "Trainers certified",
            "0",
            "20",
            [
                ("Select trainees with partner groups", 1, 2),
                ("Run a 5-day training of trainers", 3, 4),
            ],
            12000,
        ),
        (
            "Trainers run their own workshops",
            "Workshops held",
            "0",
            "40",
            [("Coach trainers through their first workshops", 5, 12)],
            8000,
        ),
    ],
    "verification": "Attendance sheets",
    "assumption": "Trainees can travel safely",
}

KHMER: dict[str, Any] = {
    "title": "គ្រូបង្គោលសុវត្ថិភាពឌីជីថលសម្រាប់តំបន់មេគង្គ",
    "summary": "បណ្តុះបណ្តាលស្ត្រី និងបុរស ២០ នាក់ នៅកម្ពុជា ឡាវ និងមីយ៉ាន់ម៉ា "
    "អំពីសុវត្ថិភាពឌីជីថល ដើម្បីឱ្យពួកគេបណ្តុះបណ្តាលអ្នកដទៃបន្ត។",
    "goal": ("សហគមន៍នៅតំបន់មេគង្គមានសុវត្ថិភាពជាងមុននៅលើអ៊ីនធឺណិត", "ចំនួនឧប្បត្តិហេតុដែលបានរាយការណ៍", "12", "4"),
    "purpose": (
        "គ្រូបង្គោលចែករំលែកចំណេះដឹងសុវត្ថិភាពឌីជីថលទៅសហគមន៍របស់ពួកគេ",
        "ចំនួនមនុស្សដែលទទួលបានការបណ្តុះបណ្តាល",
        "0",
        "400",
    ),
    "outputs": [
        (
            "គ្រូបង្គោលស្ត្រី និងបុរស ២០ នាក់ ត្រូវបានបណ្តុះបណ្តាលអំពីសុវត្ថិភាពឌីជីថល",
            "ចំនួនគ្រូបង្គោលដែលទទួលបានវិញ្ញាបនបត្រ",
            "0",
            "20",
            [("ជ្រើសរើសសិក្ខាកាមជាមួយក្រុមដៃគូ", 1, 2), ("រៀបចំវគ្គបណ្តុះបណ្តាលគ្រូបង្គោលរយៈពេល ៥ ថ្ងៃ", 3, 4)],
            48_000_000,
        ),
        (
            "គ្រូបង្គោលរៀបចំសិក្ខាសាលាផ្ទាល់ខ្លួន",
            "ចំនួនសិក្ខាសាលាដែលបានរៀបចំ",
            "0",
            "40",
            [("ណែនាំគ្រូបង្គោលក្នុងសិក្ខាសាលាដំបូងៗរបស់ពួកគេ", 5, 12)],
            32_000_000,
        ),
    ],
    "verification": "បញ្ជីវត្តមាន និងរបាយការណ៍វគ្គបណ្តុះបណ្តាល",
    "assumption": "សិក្ខាកាមអាចធ្វើដំណើរដោយសុវត្ថិភាព",
}

#: One output's statement per script, with what makes each hard to draw.
SCRIPT_SAMPLES = {
    # Lao: vowels above and below, a vowel drawn before its consonant (ເ, ໄ), tone marks.
    "lo": "ຄູຝຶກ 20 ຄົນ ໄດ້ຮັບການຝຶກອົບຮົມກ່ຽວກັບຄວາມປອດໄພທາງດິຈິຕອນ",
    # Burmese: medials ya, ra, wa (ျ ြ ွ), the vowel e before its consonant, asat and kinzi.
    "my": "ဒစ်ဂျစ်တယ်လုံခြုံရေး သင်တန်းဆရာ ၂၀ ဦး လေ့ကျင့်ပေးခြင်း",
    # Thai: tone marks stacked on vowels above (น้ำ, ที่), leading vowels (เ, ไ).
    "th": "ผู้ฝึกสอน 20 คน ได้รับการฝึกอบรมเรื่องความปลอดภัยทางดิจิทัลและน้ำใจ",
}


def _level(statement: str, indicator: str, baseline: str, target: str, text: dict[str, Any]):
    return {
        "statement": statement,
        "indicators": [{"text": indicator, "baseline": baseline, "target": target}],
        "verification": [text["verification"]],
        "assumptions": [text["assumption"]],
    }


def logframe(text: dict[str, Any], duration_months: int = 12) -> Logframe:
    outputs = []
    for statement, indicator, baseline, target, activities, budget in text["outputs"]:
        outputs.append(
            {
                **_level(statement, indicator, baseline, target, text),
                "activities": [
                    {"text": a, "start_month": start, "end_month": end}
                    for a, start, end in activities
                ],
                "budget": budget,
            }
        )
    return Logframe.model_validate(
        {
            "goal": _level(*text["goal"], text),
            "purpose": _level(*text["purpose"], text),
            "outputs": outputs,
            "duration_months": duration_months,
        }
    )


def project(
    text: dict[str, Any] = ENGLISH,
    *,
    language: str = "en",
    currency: str = "USD",
    plan: Logframe | None = None,
    with_plan: bool = True,
) -> Project:
    chosen = plan if plan is not None else logframe(text)
    return Project(
        id="p-export",
        created_at=NOW,
        updated_at=NOW,
        org_name="Mekong Digital Safety Network",
        contact_email="cso@example.org",
        title=text["title"],
        summary=text["summary"],
        sectors=["digital-security"],
        country="KH",
        applicant_type="unregistered_group",
        amount_needed=sum(o[-1] for o in text["outputs"]),
        currency=currency,
        language=language,
        plan=chosen if with_plan else None,
        plan_revision=3 if with_plan else 0,
    )


def khmer_project() -> Project:
    return project(KHMER, language="km", currency="KHR")


def script_project(language: str) -> Project:
    """The English plan with its first output's statement in `language`'s script."""
    text = {
        **ENGLISH,
        "outputs": [(SCRIPT_SAMPLES[language], *ENGLISH["outputs"][0][1:]), ENGLISH["outputs"][1]],
    }
    return project(text, language=language)
