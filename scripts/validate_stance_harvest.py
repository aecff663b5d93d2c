"""Checks a harvest file against the grounded-stance record format (datasets/stance-grounded/GUIDE.md)."""
import json
import sys

TARGETS = {"consent", "compensation", "litigation", "platform_terms", "transparency", "voice_likeness"}
LABELS = {"favor", "against", "neutral", "not_addressed"}
REQUIRED = {"id", "text", "speaker_type", "form", "source_url", "query", "labels"}

def main(path):
    ids, urls, problems = set(), set(), 0
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            record = json.loads(line)
            missing = REQUIRED - record.keys()
            bad_labels = {t: l for t, l in record.get("labels", {}).items() if l not in LABELS}
            if missing or set(record.get("labels", {})) != TARGETS or bad_labels or record["id"] in ids:
                problems += 1
                print(f"line {number}: missing={sorted(missing)} labels={record.get('labels')} id={record.get('id')}")
            ids.add(record.get("id"))
            urls.add(record.get("source_url"))
    print(f"{len(ids)} records, {len(urls)} pages, {problems} problems")

if __name__ == "__main__":
    main(sys.argv[1])
