from retriever.chunking import ChunkerConfig, chunk_note, split_candidates


def _check_lines(chunks, text):
    lines = text.split("\n")
    for c in chunks:
        s, e = c.lines
        assert 1 <= s <= e <= len(lines)
        window = "\n".join(lines[s - 1:e])
        # every non-heading line of the chunk comes from its line range
        for line in c.text.split("\n"):
            if line.strip() and not line.strip().startswith("```"):  # fences re-opened at cuts
                assert line.strip() in window, (line, c.lines)


def test_seed_notes_sections_and_heading_paths(seed_corpus, tokenizer):
    text = (seed_corpus / "0910-aws-data-engineering.md").read_text(encoding="utf-8")
    chunks = chunk_note("0910-aws-data-engineering.md", text, splitter=tokenizer.split_sentences)
    assert 20 <= len(chunks) <= 80
    assert all(len(c.text) <= ChunkerConfig().max_chars for c in chunks)
    heads = [c.heading for c in chunks]
    assert any(h.startswith("0910 (page ~80) > 2. Amazon Athena 파티션 성능 최적화 - 인덱스와 프로젝션") for h in heads)
    assert any(h.endswith("> B. Athena 파티션 프로젝션의 장점") or "> B. Athena 파티션 프로젝션의 장점 >" in h for h in heads)
    # a bold "**정답: …**" line is content, never a heading
    assert not any("정답:" in h.split(" > ")[-1] for h in heads)
    # code fences stay balanced inside every chunk
    assert all(c.text.count("```") % 2 == 0 for c in chunks)
    _check_lines(chunks, text)
    # every section's 시험 포인트 ends up under its own section
    tips = [c for c in chunks if "시험 포인트" in c.text]
    assert len({c.heading.split(" > ")[1] for c in tips}) == 7


def test_code_and_tables_are_not_cut():
    code = "```python\n" + "\n".join(f"x{i} = {i}" for i in range(30)) + "\n```"
    table = "| a | b |\n|---|---|\n" + "\n".join(f"| 행{i} | 값{i} |" for i in range(20))
    text = f"# 제목\n\n설명 문단입니다.\n\n{code}\n\n## 표\n\n{table}\n\n끝 문단."
    chunks = chunk_note("t.md", text, ChunkerConfig(max_chars=400, min_chars=50))
    code_chunks = [c for c in chunks if "x0 = 0" in c.text]
    assert len(code_chunks) == 1 and "x29 = 29" in code_chunks[0].text
    table_chunks = [c for c in chunks if "행0" in c.text]
    assert len(table_chunks) == 1 and "행19" in table_chunks[0].text
    _check_lines(chunks, text)


def test_oversized_code_block_is_split_between_lines():
    code = "```sql\n" + "\n".join(f"SELECT {i} FROM t{i};" for i in range(200)) + "\n```"
    chunks = chunk_note("big.md", f"# 큰 코드\n\n{code}\n", ChunkerConfig(max_chars=500, min_chars=100))
    assert len(chunks) > 3
    assert all(len(c.text) <= 500 for c in chunks)
    assert sum(c.text.count("SELECT") for c in chunks) == 200


def test_plain_text_paragraphs_then_sentences(tokenizer):
    para = " ".join(f"이 문장은 {i}번째 문장이며 도시 재생 사업의 주민 참여를 설명한다." for i in range(60))
    text = "첫 문단은 짧다.\n\n" + para + "\n\n마지막 문단."
    chunks = chunk_note("page.txt", text, ChunkerConfig(plain_max_chars=600, min_chars=150),
                       splitter=tokenizer.split_sentences)
    assert all(c.heading == "" for c in chunks)
    assert all(len(c.text) <= 600 for c in chunks)
    assert all(c.text.rstrip().endswith(("다.", "짧다.", "문단.")) for c in chunks)  # cut at sentence ends
    joined = " ".join(c.text for c in chunks)
    assert joined.count("번째 문장") == 60


def test_long_lines_split_at_once_give_the_same_chunks(tokenizer):
    """The indexer hands Kiwi every long line of a round at once (`presplit`, its worker
    threads); the chunks are the ones splitting line by line gives, and only lines too long
    for one piece are split ahead."""
    lines = [" ".join(f"{k}번 페이지의 {i}번째 문장은 주민 참여를 설명한다." for i in range(n))
             for k, n in ((1, 25), (2, 3), (3, 40))]
    text = "\n".join(lines) + "\n짧은 줄."
    config = ChunkerConfig(plain_max_chars=600)
    ahead = split_candidates(text, config)
    assert ahead == [lines[0], lines[2]]  # the 3-sentence line fits a piece: not split ahead
    want = chunk_note("page.txt", text, config, splitter=tokenizer.split_sentences)
    asked: list[str] = []
    splitter = tokenizer.presplit(ahead)
    got = chunk_note("page.txt", text, config, splitter=lambda t: asked.append(t) or splitter(t))
    assert got == want and len(got) > 3
    assert asked and set(asked) <= set(ahead)  # every line chunking split was split ahead
    assert [splitter(x) for x in ahead] == [tokenizer.split_sentences(x) for x in ahead]


def test_single_huge_line_is_bounded():
    text = ("파티션 프로젝션은 메타스토어를 우회한다 " * 12000)[:200_000]
    chunks = chunk_note("long.md", text)
    assert all(len(c.text) <= ChunkerConfig().plain_max_chars for c in chunks)
    assert all(c.lines == (1, 1) for c in chunks)
    assert sum(len(c.text) for c in chunks) >= 190_000


def test_chunk_ids_are_content_hashes():
    a = chunk_note("a.md", "# 제목\n\n같은 내용")
    b = chunk_note("b.md", "# 제목\n\n같은 내용")
    c = chunk_note("a.md", "# 제목\n\n다른 내용")
    assert a[0].id == b[0].id != c[0].id
