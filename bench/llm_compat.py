"""How much LLM-style model code gets in, and what an accepted candidate costs in tokens.

    python bench/llm_compat.py [--json out.json]

On the llm_style corpus (tests/llm_style/: model files written the way LLMs write them), each
file is sent through the code generator (`OpenAIProposer`) by the scripted OpenAI-compatible
server (tests/llm_server.py) and taken through what lemonade does before training (the contract
normalizer, the static check, building Net and a forward pass on the corpus's dataset shape).
Printed:

- accepted as written: the file passes with no normalizer (what lemonade accepted before);
- accepted after the normalizer: it passes as the LLM wrote it, the normalizer fitting it;
- accepted after one scripted repair: a refused file's repair prompt is answered with the file
  its refusal asks for (tests/llm_style_corpus.REPAIRS) only when that prompt quotes the fix
  (the file's `# match:` text); otherwise the same file comes back;
- tokens per accepted candidate, `proposer.edit_format` full against diff: each accepted file
  is the parent of one edit (two lines of forward changed); the server answers with the whole
  edited file (full) or one SEARCH/REPLACE block (diff). Tokens are counted as characters / 4
  of what was sent and received (the scripted server has no tokenizer).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "src")]

from llm_server import Request, ScriptedLLM, Step, completion_body, json_step  # noqa: E402
from llm_style_corpus import Case, load_cases, outcome, repaired  # noqa: E402

KEY_ENV = "LEMONADE_BENCH_LLM_COMPAT_KEY"


def tokens(text: str) -> int:
    return max(1, len(text) // 4)


def counted(content: str, req: Request) -> Step:
    """A completion whose usage is the character count / 4 of what was sent and received."""
    body = completion_body(content)
    p = sum(tokens(str(m.get("content") or "")) for m in req.messages)
    c = tokens(content)
    body["usage"] = {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c}
    return json_step(body)


def fenced(code: str) -> str:
    return f"Here is the model.\n\n```python\n{code.rstrip()}\n```\n"


def proposer(llm: ScriptedLLM, edit_format: str = "full") -> Any:
    from lemonade.config import ProposerConfig
    from lemonade.proposers.openai_compat import OpenAIProposer

    cfg = ProposerConfig(kind="openai", model="scripted", base_url=llm.base_url,
                         api_key_env=KEY_ENV, max_retries=0, edit_format=edit_format)
    return OpenAIProposer(cfg, environ={KEY_ENV: "sk-bench"})


def request(case: Case, parent: str | None = None) -> Any:
    from lemonade.expert import advise
    from lemonade.proposers import ProposalRequest

    return ProposalRequest(iteration=1, dataset=case.info, objectives=[],
                           advice=advise([], None), memory_text="", parent_code=parent)


def admission(case: Case) -> dict[str, Any]:
    """The file through the generator, the gate and (when refused) one scripted repair."""
    from lemonade.contract import normalize_proposal

    def answer(req: Request) -> Step:
        if not req.is_repair:
            return counted(fenced(case.source), req)
        fixed = case.match and case.match in req.last_user
        return counted(fenced(repaired(case) if fixed else case.source), req)

    with ScriptedLLM(default=answer) as llm:
        gen = proposer(llm)
        p = gen.propose(request(case))
        raw = outcome_as_written(p.code or "", case)
        first = outcome(p.code or "", case.info)
        row = {"file": case.path.name, "expect": case.expect, "as_written": raw,
               "normalized": first.accepted, "note": first.note, "refusal": first.message,
               "repaired": first.accepted, "code": first.code}
        if not first.accepted:
            q, _ = normalize_proposal(p, case.info)
            again = gen.repair(request(case), q, first.message)
            second = outcome(again.code or "", case.info)
            row.update(repaired=second.accepted, code=second.code)
    return row


def outcome_as_written(code: str, case: Case) -> bool:
    """Accepted with no normalizer: the static check and the dry run on the file itself."""
    from lemonade.gate import check_source
    from lemonade.modelfile import ModelFileError, build_net, check_output

    if check_source(code):
        return False
    try:
        net = build_net(code, case.channels, case.classes)
        check_output(net, case.channels, (case.size, case.size), case.classes)
    except ModelFileError:
        return False
    return True


def edit_of(parent: str) -> tuple[str, str] | None:
    """(search, replace): forward's last `return` scaled (a two-line edit), or None."""
    lines = parent.rstrip("\n").split("\n")
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].lstrip().startswith("return "):
            indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
            expr = lines[i].strip()[len("return "):]
            return lines[i], f"{indent}logits = {expr}\n{indent}return logits * 1.0"
    return None


def edit_tokens(parent: str, case: Case, edit_format: str) -> tuple[int, int, bool]:
    """(total tokens, completion tokens, accepted) of one edit of `parent`."""
    edit = edit_of(parent)
    if edit is None:
        return 0, 0, False
    search, replace = edit
    child = parent.replace(search, replace, 1)

    def answer(req: Request) -> Step:
        if edit_format == "diff" and not req.is_repair:
            return counted(f"<<<<<<< SEARCH\n{search}\n=======\n{replace}\n>>>>>>> REPLACE\n",
                           req)
        return counted(fenced(child), req)

    with ScriptedLLM(default=answer) as llm:
        p = proposer(llm, edit_format).propose(request(case, parent))
    ok = p.code is not None and outcome(p.code, case.info).accepted
    return p.usage.get("total_tokens", 0), p.usage.get("completion_tokens", 0), ok


def main() -> None:
    import os

    import torch

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    torch.set_num_threads(1)
    os.environ.setdefault(KEY_ENV, "sk-bench")
    cases = load_cases()
    rows = [admission(c) for c in cases]
    n = len(rows)
    counts = {"as written": sum(r["as_written"] for r in rows),
              "after the normalizer": sum(r["normalized"] for r in rows),
              "after one scripted repair": sum(r["repaired"] for r in rows)}
    print(f"llm_style corpus: {n} files ({sum(c.expect == 'refused' for c in cases)} written "
          "to be refused first)")
    print(f"{'file':38} {'as written':>10} {'normalizer':>10} {'1 repair':>9}")
    for r in rows:
        print(f"{r['file']:38} {'yes' if r['as_written'] else '-':>10} "
              f"{'yes' if r['normalized'] else '-':>10} {'yes' if r['repaired'] else '-':>9}")
    for k, v in counts.items():
        print(f"accepted {k}: {v}/{n}")
    per: dict[str, list[int]] = {"full": [], "diff": []}
    written: dict[str, int] = {"full": 0, "diff": 0}
    accepted = {"full": 0, "diff": 0}
    by_name = {c.path.name: c for c in cases}
    for r in rows:
        if not r["repaired"]:
            continue
        for fmt in per:
            t, c, ok = edit_tokens(r["code"], by_name[r["file"]], fmt)
            per[fmt].append(t)
            written[fmt] += c
            accepted[fmt] += ok
    summary = {}
    for fmt, ts in per.items():
        each = sum(ts) / max(1, accepted[fmt])
        out = written[fmt] / max(1, accepted[fmt])
        summary[fmt] = {"edits": len(ts), "accepted": accepted[fmt], "tokens": sum(ts),
                        "tokens_per_accepted": round(each, 1),
                        "completion_tokens_per_accepted": round(out, 1)}
        print(f"edit_format {fmt}: {accepted[fmt]}/{len(ts)} edits accepted, "
              f"{each:,.0f} tokens per accepted candidate, {out:,.0f} of them written by the "
              "generator (chars/4)")
    if args.json:
        doc = {"counts": counts, "files": n, "edits": summary,
               "rows": [{k: v for k, v in r.items() if k != "code"} for r in rows]}
        args.json.write_text(json.dumps(doc, indent=2))


if __name__ == "__main__":
    main()
