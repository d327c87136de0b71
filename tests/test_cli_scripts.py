"""Issue 11: `briefbot brief -` on scripts that do not space or stop like English does.
Each article was written for this test."""

import json

import pytest

from tests.test_cli import briefbot

THAI = (
    "กรุงเทพมหานครประกาศแผนสร้างสวนสาธารณะแห่งใหม่ริมแม่น้ำเจ้าพระยาเพื่อเพิ่มพื้นที่สีเขียวให้กับเมือง "
    "โครงการนี้ใช้งบประมาณราว 500 ล้านบาทและจะแล้วเสร็จภายในสามปีตามแผนของสำนักการโยธา "
    "ผู้ว่าราชการกล่าวว่าสวนแห่งนี้จะเปิดให้ประชาชนใช้ฟรีทุกวันตั้งแต่เช้าจนถึงสี่ทุ่ม "
    "ชาวบ้านในย่านนั้นส่วนใหญ่เห็นด้วยกับโครงการแต่กังวลเรื่องการจราจรในช่วงก่อสร้าง "
    "สำนักงานเขตจะจัดประชุมรับฟังความคิดเห็นอีกสองครั้งก่อนเริ่มงานในเดือนหน้า"
)

CHINESE = (
    "北京市政府今天宣布，将在未来三年投资120亿元建设新的城市公园和自行车道。"
    "这一计划包括在五个城区新建二十个社区公园，并修建全长三百公里的自行车专用道。"
    "市长在新闻发布会上表示，新公园将全部免费向市民开放。"
    "专家认为，该计划有助于改善空气质量，也将创造大量就业机会。"
    "部分居民担心施工期间的交通拥堵问题，政府表示将提前公布施工时间表。"
)

ARABIC_GLUED = (
    "أعلنت وزارة الصحة عن افتتاح مستشفى جديد في المدينة يضم 200 سرير.و قالت الوزارة إن المستشفى "
    "سيخدم أكثر من 50 ألف نسمة في الأحياء الشرقية.وأضافت أن تكلفة المشروع بلغت 30 مليون دينار "
    "وأن العمل فيه استمر ثلاث سنوات.وأكد مدير المستشفى أن الطاقم الطبي يضم 120 طبيبا وممرضا.ومن "
    "المتوقع أن يستقبل المستشفى أول مرضاه في بداية الشهر المقبل بعد اكتمال التجهيزات."
)


def brief_json(text: str, language: str) -> dict:
    result = briefbot("brief", "-", "--to", language, "--format", "json", stdin=text.encode())
    assert result.returncode == 0, result.stderr.decode()
    return json.loads(result.stdout.decode().splitlines()[0])


@pytest.fixture(scope="module")
def thai_and_chinese(tmp_path_factory) -> list[dict]:
    """One run of `briefbot brief` on both files: each CLI start costs seconds."""
    folder = tmp_path_factory.mktemp("scripts")
    (folder / "thai.txt").write_text(THAI, encoding="utf-8")
    (folder / "chinese.txt").write_text(CHINESE, encoding="utf-8")
    result = briefbot("brief", str(folder / "thai.txt"), str(folder / "chinese.txt"), "--format", "json")
    assert result.returncode == 0, result.stderr.decode()
    return [json.loads(line) for line in result.stdout.decode().splitlines()]


def test_thai_is_briefed(thai_and_chinese):
    brief = thai_and_chinese[0]
    assert brief["source"]["language"] == "th"
    assert len(brief["points"]) >= 2 and all(p in THAI for p in brief["points"])


def test_chinese_is_briefed_and_counted_by_characters(thai_and_chinese):
    brief = thai_and_chinese[1]
    assert brief["source"]["language"] == "zh"
    assert len(brief["points"]) >= 2 and all(p in CHINESE for p in brief["points"])


def test_arabic_with_full_stops_glued_to_the_next_word_is_briefed():
    brief = brief_json(ARABIC_GLUED, "ar")
    assert brief["source"]["language"] == "ar" and len(brief["points"]) >= 3
    assert not any(".و" in p for p in brief["points"])  # each glued sentence stands alone


def test_a_short_chinese_text_is_refused_for_its_length_in_characters():
    result = briefbot("brief", "-", stdin="市政府今天宣布了新计划。该计划将持续三年。".encode())
    assert result.returncode != 0
    assert "too short to brief (13 words" in result.stderr.decode()
