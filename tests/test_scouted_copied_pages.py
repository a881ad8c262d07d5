"""Structures met on English pages saved as text or exported from PDF that nobody here had seen (each fixture is
invented, in the same shape): answer buttons copied as lines ("Show answer"), a closing "Conclusion", a request
after a question's "?", interview transcripts, page numbers and line-end hyphens of a PDF export, a table of
contents copied as numbered lines."""

from __future__ import annotations

from pathlib import Path

from pipeline.clean import clean_page
from pipeline.config import Rules
from pipeline.questions import split_fused
from pipeline.sources import load_page
from tests.conftest import FIXTURES, assert_no_junk, extract_file


def test_copied_reveal_buttons_and_the_closing_section_stay_out_of_the_answers(rules: Rules) -> None:
    source = extract_file(FIXTURES / "copied-reveal-buttons.txt", rules)
    assert [i.question for i in source.items] == [
        "Why does Adam keep two moving averages?",
        # a request after the "?" ("Name one …") still belongs to the question
        "What problem does gradient clipping solve? Name one case where it matters.",
        "When does a warmup schedule help?"]
    assert [i.number for i in source.items] == ["1", "2", "3"]
    adam, clipping, warmup = source.items
    assert adam.answer.startswith("The first follows the mean") and adam.answer.endswith("a step scale of its own.")
    assert clipping.answer.startswith("It caps the norm") and clipping.answer.endswith("need it most.")
    # "Conclusion" alone on a line after the last question closes the page's questions
    assert warmup.answer.endswith("pushing the model somewhere poor.")
    assert_no_junk(source, "Show answer", "Reveal the solution", "Hide answer", "Conclusion", "Bookmark")
    assert not any(i.flags for i in source.items)


def test_a_continuation_word_counts_only_as_a_whole_word(rules: Rules) -> None:
    structure = rules.structure
    # "However" opens the answer: it is not the continuation word "How"
    assert split_fused("Does batch norm act the same at test time? However large the batch, it uses running "
                       "averages.", structure) == (
        "Does batch norm act the same at test time?", "However large the batch, it uses running averages.")
    assert split_fused("What is transfer learning? List two models that use it.", structure) == (
        "What is transfer learning? List two models that use it.", "")
    # a word that as often opens an answer is no continuation word
    assert split_fused("What is a Markov chain? State transitions depend only on the current state.", structure) == (
        "What is a Markov chain?", "State transitions depend only on the current state.")
    assert split_fused("What is a vector store? Also called a vector database, it indexes embeddings.", structure) == (
        "What is a vector store?", "Also called a vector database, it indexes embeddings.")
    # a follow-up that lost its "?" stays in the question; a sentence that states something answers it
    assert split_fused("What are support vectors? What is a kernel", structure) == (
        "What are support vectors? What is a kernel", "")
    assert split_fused("When would you use retrieval? When the facts change often.", structure) == (
        "When would you use retrieval?", "When the facts change often.")
    # an answer opening with an interrogative in a statement's word order answers, final "." or not
    assert split_fused("When would you use retrieval? When the facts change often", structure) == (
        "When would you use retrieval?", "When the facts change often")
    assert split_fused("What is beam search? Where greedy keeps one path, it keeps k of them", structure) == (
        "What is beam search?", "Where greedy keeps one path, it keeps k of them")
    assert split_fused("Why use dropout? Is it still needed in large models", structure) == (
        "Why use dropout? Is it still needed in large models", "")


def test_interviewer_and_candidate_labels_mark_question_and_answer(rules: Rules) -> None:
    source = extract_file(FIXTURES / "mock-interview-transcript.txt", rules)
    assert [i.question for i in source.items] == [
        "What does L2 regularization add to the loss?", "Why would you pick L1 instead?",
        "Is dropout a form of regularization? If so, how?"]
    l2, l1, dropout = source.items
    assert l2.answer == "The sum of the squared weights times a coefficient, which pulls every weight a little " \
                        "toward zero at each step."
    assert l1.answer == "It drives many weights to exactly zero, so it doubles as feature selection."
    assert dropout.answer.startswith("Dropping random units")
    assert_no_junk(source, "Interviewer", "Candidate", "practice round")


def test_a_pdf_export_loses_its_page_numbers_and_line_end_hyphens(rules: Rules) -> None:
    path = FIXTURES / "pdf-export-notes.md"
    source = extract_file(path, rules)
    assert [i.question for i in source.items] == [
        "Why do large batches allow a higher learning rate?",
        "What does loss scaling protect against in mixed precision training?",  # "preci- sion": the page says precision
        "How does gradient accumulation differ from a real large batch?",
        "When should you suspect the data rather than the optimizer?",
        "Why does a warm-up help adaptive optimizers?",  # the page writes "warm-up" elsewhere
        "What is the role of weight decay in fine-tuning?"]  # and "fine-tuned": the hyphen stays
    assert [i.number for i in source.items] == ["1", "2", "3", "4", "5", "6"]
    scaling, accumulation, data, _, decay = source.items[1:]
    # the page break inside the answer is gone and the sentence it cut is whole again
    assert "master copy of the weights in full precision, so that tiny updates" in scaling.answer.replace("\n", " ")
    assert scaling.answer.endswith("when they are added.")
    assert accumulation.answer.endswith("can drift from training.")
    assert data.answer.endswith("at the same step every time.")
    # "## Conclusion" after the last question is the page's, not the last answer's
    assert decay.answer.endswith("the general knowledge it had.")
    assert_no_junk(source, "Conclusion", "Print this sheet", "share it with your team")
    for item in source.items:
        assert not [line for line in item.answer.split("\n") if line.strip().isdigit()], item.question
    page = clean_page(load_page(path), rules)
    assert sorted(r.text for r in page.removals if r.rule == "pdf-page-number") == ["1", "2", "3", "4"]
    assert {(r.before, r.after) for r in page.repairs if r.rule == "line-break-hyphen"} == {
        ("preci- sion", "precision"), ("warm- up", "warm-up"), ("fine- tuning", "fine-tuning")}


def test_numbers_alone_on_lines_stay_when_they_are_no_page_numbers(rules: Rules, tmp_path: Path) -> None:
    # close together (a column of a copied table), and above the questions (the questions' own numbers)
    page = tmp_path / "numbers.txt"
    page.write_text("1\n\nWhat is a confusion matrix?\n\nA table of predicted against true classes, counted:\n\n"
                    "7\n\n8\n\n9\n\nIt reads the counts per pair of classes.\n\n"
                    "2\n\nWhy does accuracy mislead on rare classes?\n\nPredicting the common class scores high.\n\n"
                    "3\n\nHow do you choose a threshold for recall?\n\nFrom the costs of a miss and a false alarm.\n\n"
                    "4\n\nWhat does the area under the curve summarize?\n\nRanking quality over all thresholds.\n",
                    encoding="utf-8")
    source = extract_file(page, rules)
    assert [i.question for i in source.items] == [
        "What is a confusion matrix?", "Why does accuracy mislead on rare classes?",
        "How do you choose a threshold for recall?", "What does the area under the curve summarize?"]
    assert "\n\n7\n\n8\n\n9\n\n" in source.items[0].answer
    assert source.items[1].answer == "Predicting the common class scores high."  # no "3" at its end
    assert not any(r.rule == "pdf-page-number" for r in clean_page(load_page(page), rules).removals)


def test_a_copied_table_of_contents_is_skipped_and_names_the_sections(rules: Rules) -> None:
    source = extract_file(FIXTURES / "copied-toc-outline.txt", rules)
    assert [i.question for i in source.items] == [
        "What does the softmax in attention normalize over?",
        "Why divide the scores by the square root of the key size?",
        "What is the difference between top-k and nucleus sampling?"]
    attention, scaling, sampling = source.items
    assert [i.section for i in source.items] == ["Questions on attention", "Questions on attention",
                                                 "Questions on decoding"]
    assert attention.answer == "Over the keys: the weights of each query across all positions add up to one."
    assert scaling.answer.endswith("which leaves almost no gradient.")  # the next section's title is not in it
    assert sampling.answer.startswith("Top-k keeps a fixed number")
    assert_no_junk(source, "2.1.", "3.1.", "Table of contents", "Questions on decoding")
    assert not any(i.flags for i in source.items)


def test_a_table_of_contents_copied_alone_lists_its_questions_without_outline_numbers(rules: Rules,
                                                                                     tmp_path: Path) -> None:
    # the copy stops inside the contents: each entry is a question listed without an answer, never "2.2."
    text = (FIXTURES / "copied-toc-outline.txt").read_text(encoding="utf-8").split("\n\n")[0]
    page = tmp_path / "contents-only.txt"
    page.write_text(text + "\n", encoding="utf-8")
    source = extract_file(page, rules)
    assert [i.question for i in source.items] == [
        "What does the softmax in attention normalize over?",
        "Why divide the scores by the square root of the key size?",
        "What is the difference between top-k and nucleus sampling?"]
    assert [i.answer for i in source.items] == ["", "", ""]
    assert [i.section for i in source.items] == ["Questions on attention", "Questions on attention",
                                                 "Questions on decoding"]


def test_numbers_counting_up_over_prompts_make_each_prompt_a_question(rules: Rules) -> None:
    source = extract_file(FIXTURES / "numbered-card-prompts.txt", rules)
    assert [i.question for i in source.items] == [
        "Tell me about a model you shipped that disappointed users. What did you change afterwards?",
        "Describe a time you chose a smaller model over a larger one.",  # no "?", yet numbered like the others
        "How do you decide that an evaluation set is good enough? Walk me through how you built your last one.",
        "Explain a technical trade-off to someone outside engineering."]
    assert [i.answer for i in source.items] == [
        "Say how you noticed, not only what you fixed. Mention the metric that moved.",
        "Give the numbers: latency, cost, and the quality you gave up.",
        "Talk about coverage of real traffic and how you kept it from leaking into training.",
        "Pick an example with a visible cost to the user, such as slower replies for better answers."]


def test_labelled_question_cards_lose_their_titles_and_metadata(rules: Rules) -> None:
    source = extract_file(FIXTURES / "question-cards-labelled.txt", rules)
    assert [i.question for i in source.items] == [
        "Why did attention replace recurrence in sequence models. What does it cost?",
        "What changes when layer normalization moves before the sublayer",
        "Is dropout active at inference? What replaces it"]  # a second question after the "?" is no answer
    attention, norm, dropout = source.items
    assert attention.answer == ("Attention relates every pair of positions in one step, so training runs in parallel "
                                "and long-range links do not fade.\n\nThe price is memory and compute that grow with "
                                "the square of the sequence length.")
    assert norm.answer == ""  # the card printed "Answer" over nothing
    assert dropout.answer.startswith("No: every unit is kept")
    assert_no_junk(source, "Companies", "Difficulty", "Frequency", "Layer norm placement", "Dropout at inference",
                    "Question\n", "Answer")


def test_a_copied_repository_page_keeps_its_sections_and_drops_difficulty_emoji(rules: Rules) -> None:
    source = extract_file(FIXTURES / "copied-repo-page.txt", rules)
    assert [i.question for i in source.items] == [
        "What separates classification from regression?", "Why can accuracy mislead on an imbalanced data set?",
        "When would you prefer recall to precision?", "What does early stopping regularize?"]
    assert [i.section for i in source.items] == ["Supervised learning", "Evaluation", "Evaluation", "Regularization"]
    assert source.items[0].answer == "The target: a class label for classification, a number for regression."
    assert source.items[2].answer.endswith("as in screening for a disease.")  # "Regularization" is not in it
    assert_no_junk(source, "👶", "⭐", "🚀", "contributors", "sloc", "Regularization\n")
    assert not any(i.flags for i in source.items)


def test_a_long_scenario_question_with_a_remark_after_its_mark_is_kept_whole(rules: Rules) -> None:
    source = extract_file(FIXTURES / "scenario-questions.md", rules)
    assert [i.question for i in source.items] == [
        "Your training set has two thousand features and half a million rows, and the laptop you are given has little "
        "memory. The manager wants the model to train within minutes. What would you try first? (Assume you cannot "
        "buy more hardware.)",
        "Is scaling needed before a tree ensemble? Why or why not?"]
    assert [i.number for i in source.items] == ["1", "2"]
    assert source.items[0].answer.startswith("Sample the rows") and "**Answer:**" not in source.items[0].answer
    assert source.items[1].answer.startswith("No: splits compare values")


def test_titles_a_copied_accordion_printed_twice_are_its_cards_even_when_they_do_not_ask(rules: Rules) -> None:
    source = extract_file(FIXTURES / "accordion-topic-titles.txt", rules)
    assert [i.question for i in source.items] == ["Chunk overlap", "Reranking", "Hybrid search", "Recall at k"]
    assert [i.number for i in source.items] == ["1", "2", "3", "4"]
    overlap, rerank, hybrid, recall = source.items
    assert overlap.answer == "Keeps a sentence that crosses a boundary whole in at least one chunk."
    # the first copy of "3. Hybrid search" glued to the end of the panel above is cut off it
    assert rerank.answer.endswith("It reorders the top candidates of the first stage.")
    assert hybrid.answer == "Keyword scores catch rare names and codes that embeddings blur."
    assert recall.section == "Evaluation" and recall.answer.startswith("The share of queries")
    assert_no_junk(source, "2. Evaluation", "3. Hybrid", "Recall at k\n")


def test_an_answer_that_is_only_a_picture_the_page_did_not_keep_is_flagged(rules: Rules) -> None:
    source = extract_file(FIXTURES / "image-only-answers.html", rules)
    assert [i.question for i in source.items] == [
        "What does a residual block look like?", "Where does layer normalization sit in a pre-norm block?",
        "Why does a causal mask hide the upper triangle?"]
    residual, prenorm, mask = source.items
    assert residual.answer == "(image: two layers with a skip connection around them)"
    assert "damaged:image-only-answer" in [str(f) for f in residual.flags]
    # a picture beside text of its own is no image-only answer
    assert prenorm.answer.endswith("so the skip path stays an identity.") and not prenorm.flags
    assert not mask.flags


def test_labels_and_short_lines_inside_answers_stay_in_them(rules: Rules, tmp_path: Path) -> None:
    # "Problem:" / "问题：" labelling a part of an answer opens no question; "Solution:" is no reveal button;
    # "Summary" / "**总结**" under the last heading question is that answer's; a short last line of an answer on a
    # page that bolds its questions is no heading lost in a copy
    labels = tmp_path / "labels.md"
    labels.write_text("# Notes\n\n## 1. What causes vanishing gradients?\n\nProblem:\n\nGradients shrink through "
                      "many layers.\n\nSolution:\n\nUse residual connections.\n\n## 2. Why use layer norm?\n\n"
                      "It is batch-independent.\n\nSummary\n\nIt works at any sequence length.\n", encoding="utf-8")
    source = extract_file(labels, rules)
    assert [i.question for i in source.items] == ["What causes vanishing gradients?", "Why use layer norm?"]
    assert source.items[0].answer.split("\n\n") == [
        "Problem:", "Gradients shrink through many layers.", "Solution:", "Use residual connections."]
    assert source.items[1].answer.endswith("It works at any sequence length.")
    zh = tmp_path / "labels-zh.md"
    zh.write_text("# 笔记\n\n## 1. 什么是梯度消失？\n\n梯度越来越小。\n\n问题：\n\n- 训练变慢\n- 浅层学不到\n\n"
                  "## 2. 为什么要用残差连接？\n\n梯度可以直接流过。\n\n**总结**\n\n残差缓解了退化问题。\n",
                  encoding="utf-8")
    source = extract_file(zh, rules)
    assert [i.question for i in source.items] == ["什么是梯度消失？", "为什么要用残差连接？"]
    assert "训练变慢" in source.items[0].answer and source.items[1].answer.endswith("残差缓解了退化问题。")
    bold = tmp_path / "bold.md"
    bold.write_text("**1. What is dropout?**\n\nIt zeroes random activations.\n\nIn PyTorch: nn.Dropout(p=0.5)\n\n"
                    "**2. What is batch norm?**\n\nIt normalizes over the batch.\n\nIn PyTorch: nn.BatchNorm1d(n)\n\n"
                    "**3. What is weight decay?**\n\nAn L2 penalty on the weights.\n", encoding="utf-8")
    source = extract_file(bold, rules)
    assert [i.section for i in source.items] == ["", "", ""]
    assert source.items[0].answer.endswith("In PyTorch: nn.Dropout(p=0.5)")
    assert source.items[1].answer.endswith("In PyTorch: nn.BatchNorm1d(n)")


def test_a_dash_written_as_a_hyphen_on_an_ordinary_page_stays(rules: Rules, tmp_path: Path) -> None:
    # no page numbers: no PDF export, so a break the page does not spell out elsewhere is a dash in prose
    page = tmp_path / "dashes.md"
    page.write_text("## What is Adam?\n\nAdam- short for adaptive moment estimation- combines momentum with step "
                    "sizes per weight. It is cheap- it keeps two buffers.\n\n## What is warmup?\n\nA ramp of the "
                    "learning rate used with Adam.\n", encoding="utf-8")
    adam = extract_file(page, rules).items[0]
    assert "estimation- combines momentum" in adam.answer and "cheap- it keeps" in adam.answer
    assert not any(r.rule == "line-break-hyphen" for r in clean_page(load_page(page), rules).repairs)


def test_steps_numbered_on_their_own_lines_inside_an_answer_are_no_cards(rules: Rules, tmp_path: Path) -> None:
    # "1" / "Define…" / "2" / "Compute…": prompts with no answer between them are a list's steps, not question cards
    page = tmp_path / "steps.txt"
    page.write_text("How do you fine-tune a model on a new task?\n\nThe usual recipe has three steps.\n\n1\n\n"
                    "Define the task head on top of the backbone.\n\n2\n\nCompute the loss on labelled examples.\n\n"
                    "3\n\nDescribe the results on a held-out set.\n\nWhat is catastrophic forgetting?\n\n"
                    "Losing old skills while learning new ones.\n", encoding="utf-8")
    source = extract_file(page, rules)
    assert [i.question for i in source.items] == ["How do you fine-tune a model on a new task?",
                                                  "What is catastrophic forgetting?"]
    assert "Compute the loss on labelled examples." in source.items[0].answer


def test_short_last_lines_of_every_answer_and_a_list_s_last_step_stay_in_the_answers(rules: Rules,
                                                                                      tmp_path: Path) -> None:
    # a short line before every question is the page's way of ending answers, not a heading lost in the copy
    notes = tmp_path / "notes.txt"
    notes.write_text("What is GELU?\n\nA smooth activation weighting inputs by their Gaussian CDF\n\nUsed in BERT\n\n"
                     "What is Swish?\n\nx times sigmoid of x\n\nUsed in EfficientNet\n\nWhat is ReLU?\n\n"
                     "The positive part of its input\n\nUsed almost everywhere\n", encoding="utf-8")
    source = extract_file(notes, rules)
    assert [i.section for i in source.items] == ["", "", ""]
    assert [i.answer.split("\n\n")[-1] for i in source.items] == [
        "Used in BERT", "Used in EfficientNet", "Used almost everywhere"]
    # "3." over the last step of a list copied as text, then the next question: a step, not a numbered section
    steps = tmp_path / "steps.txt"
    steps.write_text("How does a transformer generate text?\n\nIn three stages:\n\n1.\n\nTokenize the prompt\n\n2.\n\n"
                     "Embed the tokens\n\n3.\n\nRun the decoder one token at a time\n\nWhat is beam search?\n\n"
                     "A search keeping the k best partial outputs.\n", encoding="utf-8")
    first, second = extract_file(steps, rules).items
    assert first.answer.endswith("3.\n\nRun the decoder one token at a time") and second.section == ""
    assert not first.flags
