"""docs/allocation-instance.md stays true to the code: its example instance gives exactly its example result."""

import io
import json
import re
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

DOC = Path(settings.BASE_DIR) / "docs" / "allocation-instance.md"


def json_blocks(text: str) -> list[str]:
    return re.findall(r"```json\n(.*?)\n```", text, flags=re.S)


def test_allocation_instance_doc_example_gives_the_result_it_shows(tmp_path):
    instance, result = json_blocks(DOC.read_text(encoding="utf-8"))[:2]
    path = tmp_path / "instance.json"
    path.write_text(instance, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("allocate", "--instance", str(path), stdout=out, stderr=err)
    assert json.loads(out.getvalue()) == json.loads(result)
    assert out.getvalue().strip() == result.strip()


def test_allocation_instance_doc_example_round_trips_through_the_reader():
    from booths.allocation.instance import instance_data, parse_instance

    instance = json.loads(json_blocks(DOC.read_text(encoding="utf-8"))[0])
    parsed = parse_instance(instance)
    again = instance_data(parsed)
    assert parse_instance(again) == parsed
    assert [a["id"] for a in again["applications"]] == [a["id"] for a in instance["applications"]]
