"""Per-language rule tables for the sentence splitter (the engine is in ``align.segment``).

Each table says which characters end a sentence, which closing marks still belong to it, and which
abbreviations never end one. Abbreviations are written lower-case without their final dot; inner dots
stay (``e.g``). Two kinds:

* ``abbrev``: never sentence-final (titles, Latin shorthand: ``Mr.``, ``e.g.``).
* ``abbrev_num``: not final when a number, symbol or roman numeral follows (``No. 5``, ``para. 12``,
  ``14 Nov. 2018``); at the end of a sentence they are ordinary words ("the answer was no.").

Abbreviations that can end a sentence (``etc.``, ``и т. д.``) are left out on purpose: in cased scripts
the next word's case decides, which is right both ways.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Rules:
    terminals: str                      # characters that can end a sentence
    closers: str = "\"'”’»)]"           # marks after a terminal that still belong to the sentence
    # Closers that cannot open anything, so they belong to the sentence even after a space
    # ("fin. »", tokenised "schuld ? )"). German opens quotes with » and “, so it keeps only brackets.
    spaced_closers: str = ")]»”"
    cased: bool = True                  # a lower-case next word vetoes a break
    spaced: bool = True                 # a break needs whitespace after it (False for Chinese)
    abbrev: frozenset = field(default_factory=frozenset)
    abbrev_num: frozenset = field(default_factory=frozenset)
    # German writes ordinals as "3. Oktober": a short number + dot is not a sentence end.
    ordinal_dot: bool = False
    # Words after which "N." ends a sentence ("see paragraph 3.", "from 1 to 3."). After any other word,
    # "N. Capital" is taken for a paragraph number glued to a heading ("Other matters 2. The ..."), and the
    # break goes before the number. Words match exactly; an entry ending in "*" is a stem, for inflected
    # languages. Empty: the rule is off (German, where "3." is an ordinal).
    refs: frozenset = field(default_factory=frozenset)
    # Characters that continue the sentence when they follow a terminal: Japanese quotes speech with
    # 「...。」と言った ("... ," he said), so a quotative particle after a closed quote is no new sentence.
    continuations: str = ""


def _words(s: str) -> frozenset:
    return frozenset(s.split())


_LATIN_TERMINALS = ".!?…"

RULES: dict[str, Rules] = {
    "en": Rules(
        terminals=_LATIN_TERMINALS,
        abbrev=_words("mr mrs ms messrs mmes dr prof st sr jr e.g i.e cf viz vs h.e h.r.h hon amb gen col lt"
                      " capt sgt gov sen sens rep reps det"
                      # upper-case initialisms go with the following name ("U.S. Navy", "the U.N. General Assembly")
                      " u.s u.n u.k d.c"),
        abbrev_num=_words("no nos para paras art arts p pp vol vols sect sec ch chap fig figs ref op res"
                          " approx tel ext rev add corr suppl"
                          " jan feb mar apr jun jul aug sep sept oct nov dec"),
        refs=_words("paragraph paragraphs para paras article articles art annex appendix chapter section part"
                    " item items rule resolution decision recommendation principle goal target indicator table"
                    " figure box page p pp note footnote step phase level grade no nos number volume vol"
                    " regulation schedule option category class protocol standard action"
                    " to through and or of from by at in on under than about over between with"),
    ),
    "fr": Rules(
        terminals=_LATIN_TERMINALS,
        abbrev=_words("m mm mme mmes mlle mlles dr pr me s.e ll.ee p.ex cf ex env"),
        abbrev_num=_words("no nos n par art p pp vol chap fig réf al sect suppl rev add corr"
                          " janv févr fév avr juil sept oct nov déc"),
        refs=_words("paragraphe par article art annexe appendice chapitre section partie point règle résolution"
                    " décision recommandation principe objectif cible indicateur tableau figure encadré page p"
                    " note étape phase niveau no n° numéro volume vol protocole option catégorie classe"
                    " à au aux de du des et ou sur sous entre avec que en dans"),
    ),
    "es": Rules(
        terminals=_LATIN_TERMINALS,
        abbrev=_words("sr sra sres sras srta dr dra d dña ud uds excmo excma ee p.ej cf vid lic ing"),
        abbrev_num=_words("núm núms no n art arts párr párrs pág págs p pp vol cap fig res secc suppl rev add corr"
                          " ene feb mar abr jun jul ago sep sept oct nov dic"),
        refs=_words("párrafo párr artículo art anexo apéndice capítulo sección parte tema punto regla resolución"
                    " resoluciones decisión decisiones recomendación recomendaciones principio objetivo meta"
                    " indicador cuadro figura gráfico recuadro página pág p nota etapa fase nivel núm no número"
                    " volumen vol protocolo opción opciones categoría clase"
                    " a al de del y o e u por en sobre entre con que hasta desde"),
    ),
    "de": Rules(
        terminals=_LATIN_TERMINALS,
        abbrev=_words("dr hr fr frl prof bzw vgl ca sog inkl evtl ggf bspw z.b d.h u.a o.ä u.ä s.o s.u st"),
        abbrev_num=_words("nr abs art s bd kap ziff lit abschn tab abb"
                          " jan feb febr mär apr jun jul aug sep sept okt nov dez"),
        closers="\"'“‘«»)]",
        spaced_closers=")]",
        ordinal_dot=True,
        # With ordinal_dot these are the words after which "N." is a number ending a sentence, not an ordinal.
        refs=_words("artikel art absatz abs seite s nummer nr ziffer kapitel abschnitt punkt anhang anlage tabelle"
                    " abbildung randnummer rn paragraph paragraf teil band bd bis und oder von zu auf"),
    ),
    "ru": Rules(
        terminals=_LATIN_TERMINALS,
        abbrev=_words("т т.е т.к т.н см ср им проф акад г-н г-жа"),
        abbrev_num=_words("ст п пп ч гл рис табл стр с no № разд прил"
                          " янв февр авг сент окт нояб дек"),
        refs=_words("пункт* п стать* ст прилож* глав* раздел* част* правил* резолюц* решени* рекоменд*"
                    " принцип* цел* задач* таблиц* рисун* страниц* с примечан* этап* уров* номер* № том*"
                    " протокол* категор* класс*"
                    " в на по до из от к и или о со между"),
    ),
    "ar": Rules(
        terminals=".!?؟…",
        # Arabic has no letter case, so the next word cannot veto a break; abbreviations (single letters such as
        # "د." or "م." are handled generally) are few: Hijri year mark, "and so on" is final and left out.
        cased=False,
        abbrev=_words("هـ ق.م"),
        abbrev_num=_words("ص ج"),
    ),
    "zh": Rules(
        terminals="。！？!?…",
        closers="\"'”’」』）)》〉]",
        spaced_closers="”」』）)》〉]",
        cased=False,
        spaced=False,
    ),
    # The other languages of the bundled encoder (Universal Sentence Encoder Multilingual knows 16): shallower
    # tables -- terminals, titles, the reference abbreviations that a number follows. Not checked against a
    # gold segmentation the way the UN languages are; with --segmented no table is used at all.
    "it": Rules(
        terminals=_LATIN_TERMINALS,
        abbrev=_words("sig sigg sig.ra dott dott.ssa prof avv ing on gen cfr es"),
        abbrev_num=_words("n nn art artt par pag pagg p pp vol cap fig all rev add"
                          " genn febbr apr giu lug ago sett ott nov dic"),
    ),
    "pt": Rules(
        terminals=_LATIN_TERMINALS,
        abbrev=_words("sr sra srs sras srta dr dra drs prof profa exmo exma v.exa ilmo ilma cf ex p.ex"),
        abbrev_num=_words("n nº no art arts par parág pág págs p pp vol cap fig res rev add"
                          " jan fev mar abr jun jul ago set out nov dez"),
    ),
    "nl": Rules(
        terminals=_LATIN_TERMINALS,
        abbrev=_words("dhr mevr mr dr prof ir ing drs bijv bv d.w.z o.a m.b.t i.p.v t.a.v z.g.a e.d e.a vgl"),
        abbrev_num=_words("nr art blz par p pp vol hfst fig bijl"
                          " jan feb mrt apr jun jul aug sep sept okt nov dec"),
    ),
    "pl": Rules(
        terminals=_LATIN_TERMINALS,
        abbrev=_words("np tzn tj prof dr mgr inż ks płk gen ul al wg"),  # not "im": also the pronoun "them"
        abbrev_num=_words("nr art ust pkt par str s poz t rozdz zał rys tab ok"
                          " stycz lut mar kwiet maj czerw lip sierp wrz paźdz listop grudz"),
        ordinal_dot=True,   # "3. miejsce": a number with a dot is an ordinal, as in German
        refs=_words("art artykuł* ust ustęp* pkt punkt* par paragraf* str strona s nr numer* rozdział* załącznik*"
                    " tabel* do i lub od w z na"),
    ),
    "tr": Rules(
        terminals=_LATIN_TERMINALS,
        abbrev=_words("dr prof doç av müh yrd öğr bkz vb vd"),
        abbrev_num=_words("no nr md s sf böl tab şek"),
        ordinal_dot=True,   # "15. yüzyıl", "3. madde": ordinals
        refs=_words("madde* fıkra* paragraf* bölüm* sayfa* s no numara* ek* tablo* ve veya ile"),
    ),
    "ja": Rules(
        terminals="。！？!?…．",
        continuations="とっ",
        closers="\"'”’」』）)》〉]",
        spaced_closers="”」』）)》〉]",
        cased=False,
        spaced=False,
    ),
    "ko": Rules(
        terminals=".!?。…",    # Korean writes Latin punctuation between spaced words
        cased=False,
    ),
    "th": Rules(
        # Thai marks no sentence end: sentences are separated by a space, as words are not. Only the rare
        # Latin punctuation and blank lines split here; give Thai already segmented (--segmented) when you can.
        terminals="!?.",
        cased=False,
    ),
}
