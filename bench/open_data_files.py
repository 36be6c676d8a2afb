"""Write large, realistic open-data files for the import benchmark, one record at a time.

Records follow the same standards as the test fixtures (360Giving JSON package, IATI
2.03 activities, Grants.gov OpportunityDetail-V1.0) and cycle through Mekong countries,
mapped sectors and non-ASCII titles, so nearly every record becomes a grant.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

COUNTRIES = ["KH", "LA", "MM", "TH", "VN"]
TITLES = [
    "សិទ្ធិមនុស្ស និងការអប់រំសហគមន៍",
    "ການພັດທະນາຊຸມຊົນຊົນນະບົດ",
    "ရွှေ့ပြောင်းလုပ်သားများအတွက် ဥပဒေအကူအညီ",
    "สิทธิสตรีในชุมชนชายแดน",
    "Nước sạch cho các xã vùng cao",
]
DESCRIPTION = (
    "Small grants to community groups for training, equipment and local advocacy. "
    "Priority to groups led by women, young people and indigenous peoples. " * 3
)
DAC = ["15160", "15153", "11220", "12220", "14030", "15220", "41030", "43060"]
GRANTSGOV_CATEGORIES = ["ED", "HL", "ENV", "LJL", "DPR", "ISS"]
CLASSIFICATIONS = ["Education", "Health", "Human Rights", "Environment", "Migration"]


def _title(i: int) -> str:
    return f"{TITLES[i % len(TITLES)]} #{i}"


def _category(i: int) -> str:
    return GRANTSGOV_CATEGORIES[i % len(GRANTSGOV_CATEGORIES)]


def write_360giving(path: Path, count: int) -> None:
    """A 360Giving JSON package with `count` grants."""
    with path.open("w", encoding="utf-8") as out:
        out.write('{"grants": [\n')
        for i in range(count):
            grant = {
                "id": f"360G-BENCH-{i:08d}",
                "title": _title(i),
                "description": DESCRIPTION,
                "currency": "USD",
                "amountAwarded": 5000 + i % 50 * 1000,
                "awardDate": "2026-06-01",
                "plannedDates": [{"startDate": "2026-07-01", "endDate": "2028-06-30"}],
                "recipientOrganization": [{"id": f"360G-BENCH-ORG-{i}", "name": "A CSO"}],
                "fundingOrganization": [{"id": "XM-BENCH", "name": "Bench Fund"}],
                "beneficiaryLocation": [{"countryCode": COUNTRIES[i % len(COUNTRIES)]}],
                "classifications": [{"title": CLASSIFICATIONS[i % len(CLASSIFICATIONS)]}],
            }
            out.write(("," if i else "") + json.dumps(grant, ensure_ascii=False) + "\n")
        out.write("]}\n")


def write_iati(path: Path, count: int) -> None:
    """An IATI 2.03 activity file with `count` activities."""
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03">\n')
        for i in range(count):
            out.write(f"""<iati-activity xml:lang="en" default-currency="USD">
 <iati-identifier>XM-BENCH-{i:08d}</iati-identifier>
 <reporting-org ref="XM-BENCH" type="60"><narrative>Bench Fund</narrative></reporting-org>
 <title><narrative>{escape(_title(i))}</narrative></title>
 <description type="1"><narrative>{escape(DESCRIPTION)}</narrative></description>
 <participating-org ref="XM-BENCH" role="1" type="60"/>
 <activity-status code="2"/>
 <activity-date type="1" iso-date="2026-01-01"/>
 <activity-date type="3" iso-date="2028-12-31"/>
 <recipient-country code="{COUNTRIES[i % len(COUNTRIES)]}"/>
 <sector vocabulary="1" code="{DAC[i % len(DAC)]}"/>
 <budget type="1"><period-start iso-date="2026-01-01"/><period-end iso-date="2026-12-31"/>
  <value value-date="2026-01-01">{10000 + i % 90 * 1000}</value></budget>
</iati-activity>
""")
        out.write("</iati-activities>\n")


def write_grantsgov(path: Path, count: int) -> None:
    """A Grants.gov extract with `count` opportunity synopses."""
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write('<Grants xmlns="http://apply.grants.gov/system/OpportunityDetail-V1.0">\n')
        for i in range(count):
            out.write(f"""<OpportunitySynopsisDetail_1_0>
 <OpportunityID>{1_000_000 + i}</OpportunityID>
 <OpportunityTitle>{escape(_title(i))}</OpportunityTitle>
 <OpportunityNumber>BENCH-{i}</OpportunityNumber>
 <FundingInstrumentType>G</FundingInstrumentType>
 <CategoryOfFundingActivity>{_category(i)}</CategoryOfFundingActivity>
 <EligibleApplicants>12</EligibleApplicants>
 <AgencyName>Bench Agency</AgencyName>
 <PostDate>01052027</PostDate>
 <CloseDate>12312027</CloseDate>
 <LastUpdatedDate>01052027</LastUpdatedDate>
 <AwardCeiling>{50000 + i % 10 * 5000}</AwardCeiling>
 <AwardFloor>5000</AwardFloor>
 <Description>{escape(DESCRIPTION)}</Description>
</OpportunitySynopsisDetail_1_0>
""")
        out.write("</Grants>\n")


WRITERS: dict[str, tuple[str, Callable[[Path, int], None]]] = {
    "360giving": ("json", write_360giving),
    "iati": ("xml", write_iati),
    "grantsgov": ("xml", write_grantsgov),
}


def open_data_file(folder: Path, fmt: str, count: int) -> Path:
    """The path of a generated file (written once, reused by later runs)."""
    suffix, writer = WRITERS[fmt]
    path = folder / f"{fmt}-{count}.{suffix}"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        writer(partial, count)
        partial.rename(path)
    return path
