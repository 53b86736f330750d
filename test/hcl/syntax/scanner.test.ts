// biome-ignore-all lint/suspicious/noTemplateCurlyInString: HCL template syntax in test inputs
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { scan } from "../../../src/hcl/syntax/scanner.js";
import { TokenType as T } from "../../../src/hcl/syntax/token.js";
import { corpusFiles, isNativeHcl } from "../../support/corpus.js";

/** Tokens as [type, text] pairs, without the final EOF. */
function toks(src: string | Buffer, mode: "normal" | "template" = "normal"): [T, string][] {
  const ts = scan(src, "t.hcl", mode);
  const last = ts[ts.length - 1]!;
  assert.equal(last.type, T.EOF, "the last token must be EOF");
  return ts.slice(0, -1).map((t) => [t.type, t.text]);
}

const cases: { name: string; src: string; mode?: "normal" | "template"; want: [T, string][] }[] = [
  { name: "empty", src: "", want: [] },
  {
    name: "attribute",
    src: "a = 1\n",
    want: [
      [T.Ident, "a"],
      [T.Equal, "="],
      [T.NumberLit, "1"],
      [T.Newline, "\n"],
    ],
  },
  {
    name: "crlf newline",
    src: "a\r\n",
    want: [
      [T.Ident, "a"],
      [T.Newline, "\r\n"],
    ],
  },
  { name: "lone CR is invalid", src: "\r", want: [[T.Invalid, "\r"]] },
  {
    name: "identifiers with dashes and unicode",
    src: "foo-bar _x é9",
    want: [
      [T.Ident, "foo-bar"],
      [T.Ident, "_x"],
      [T.Ident, "é9"],
    ],
  },
  {
    name: "numbers",
    src: "1 1.5 1e10 1.5E-3 1e+2 007",
    want: [
      [T.NumberLit, "1"],
      [T.NumberLit, "1.5"],
      [T.NumberLit, "1e10"],
      [T.NumberLit, "1.5E-3"],
      [T.NumberLit, "1e+2"],
      [T.NumberLit, "007"],
    ],
  },
  {
    name: "a number never ends with a dot",
    src: "1. 1..",
    want: [
      [T.NumberLit, "1"],
      [T.Dot, "."],
      [T.NumberLit, "1"],
      [T.Dot, "."],
      [T.Dot, "."],
    ],
  },
  {
    name: "exponent needs digits",
    src: "1e",
    want: [
      [T.NumberLit, "1"],
      [T.Ident, "e"],
    ],
  },
  {
    name: "legacy index chain scans as a number",
    src: "a.0.1",
    want: [
      [T.Ident, "a"],
      [T.Dot, "."],
      [T.NumberLit, "0.1"],
    ],
  },
  {
    name: "operators",
    src: "== != <= >= && || ... => < > ! ? : + - * / % = . ,",
    want: [
      [T.EqualOp, "=="],
      [T.NotEqual, "!="],
      [T.LessThanEq, "<="],
      [T.GreaterThanEq, ">="],
      [T.And, "&&"],
      [T.Or, "||"],
      [T.Ellipsis, "..."],
      [T.FatArrow, "=>"],
      [T.LessThan, "<"],
      [T.GreaterThan, ">"],
      [T.Bang, "!"],
      [T.Question, "?"],
      [T.Colon, ":"],
      [T.Plus, "+"],
      [T.Minus, "-"],
      [T.Star, "*"],
      [T.Slash, "/"],
      [T.Percent, "%"],
      [T.Equal, "="],
      [T.Dot, "."],
      [T.Comma, ","],
    ],
  },
  {
    name: "brackets",
    src: "{[()]}",
    want: [
      [T.OBrace, "{"],
      [T.OBrack, "["],
      [T.OParen, "("],
      [T.CParen, ")"],
      [T.CBrack, "]"],
      [T.CBrace, "}"],
    ],
  },
  {
    name: "tokens for unsupported characters",
    src: "& | ~ ^ ; ` ' @",
    want: [
      [T.BitwiseAnd, "&"],
      [T.BitwiseOr, "|"],
      [T.BitwiseNot, "~"],
      [T.BitwiseXor, "^"],
      [T.Semicolon, ";"],
      [T.Backtick, "`"],
      [T.Apostrophe, "'"],
      [T.Invalid, "@"],
    ],
  },
  {
    name: "line comments include their newline",
    src: "# a\n// b\r\nx",
    want: [
      [T.Comment, "# a\n"],
      [T.Comment, "// b\r\n"],
      [T.Ident, "x"],
    ],
  },
  { name: "comment at EOF", src: "# a", want: [[T.Comment, "# a"]] },
  {
    name: "block comment",
    src: "/* a\n b */x",
    want: [
      [T.Comment, "/* a\n b */"],
      [T.Ident, "x"],
    ],
  },
  {
    name: "unterminated block comment is a slash",
    src: "/* a",
    want: [
      [T.Slash, "/"],
      [T.Star, "*"],
      [T.Ident, "a"],
    ],
  },
  {
    name: "quoted string with escapes kept raw",
    src: '"a\\"b\\n"',
    want: [
      [T.OQuote, '"'],
      [T.QuotedLit, 'a\\"b\\n'],
      [T.CQuote, '"'],
    ],
  },
  {
    name: "interpolation and strip markers",
    src: '"a${~ b ~}c"',
    want: [
      [T.OQuote, '"'],
      [T.QuotedLit, "a"],
      [T.TemplateInterp, "${~"],
      [T.Ident, "b"],
      [T.TemplateSeqEnd, "~}"],
      [T.QuotedLit, "c"],
      [T.CQuote, '"'],
    ],
  },
  {
    name: "template control",
    src: '"%{if x}y%{endif}"',
    want: [
      [T.OQuote, '"'],
      [T.TemplateControl, "%{"],
      [T.Ident, "if"],
      [T.Ident, "x"],
      [T.TemplateSeqEnd, "}"],
      [T.QuotedLit, "y"],
      [T.TemplateControl, "%{"],
      [T.Ident, "endif"],
      [T.TemplateSeqEnd, "}"],
      [T.CQuote, '"'],
    ],
  },
  {
    name: "escaped sequences stay literal",
    src: '"$${a} %%{b} $x %"',
    want: [
      [T.OQuote, '"'],
      [T.QuotedLit, "$${a} %%{b} $x %"],
      [T.CQuote, '"'],
    ],
  },
  {
    name: "braces inside interpolation nest",
    src: '"${ {a = 1} }"',
    want: [
      [T.OQuote, '"'],
      [T.TemplateInterp, "${"],
      [T.OBrace, "{"],
      [T.Ident, "a"],
      [T.Equal, "="],
      [T.NumberLit, "1"],
      [T.CBrace, "}"],
      [T.TemplateSeqEnd, "}"],
      [T.CQuote, '"'],
    ],
  },
  {
    name: "nested quotes in interpolation",
    src: '"${"x"}"',
    want: [
      [T.OQuote, '"'],
      [T.TemplateInterp, "${"],
      [T.OQuote, '"'],
      [T.QuotedLit, "x"],
      [T.CQuote, '"'],
      [T.TemplateSeqEnd, "}"],
      [T.CQuote, '"'],
    ],
  },
  {
    name: "newline in a quoted string",
    src: '"a\nb"',
    want: [
      [T.OQuote, '"'],
      [T.QuotedLit, "a"],
      [T.QuotedNewline, "\n"],
      [T.QuotedLit, "b"],
      [T.CQuote, '"'],
    ],
  },
  {
    name: "backslash before newline is invalid",
    src: '"a\\\n"',
    want: [
      [T.OQuote, '"'],
      [T.QuotedLit, "a"],
      [T.Invalid, "\\"],
      [T.QuotedNewline, "\n"],
      [T.CQuote, '"'],
    ],
  },
  {
    name: "heredoc",
    src: "<<EOT\nhello\n  ${x}\nEOT\n",
    want: [
      [T.OHeredoc, "<<EOT\n"],
      [T.StringLit, "hello\n"],
      [T.StringLit, "  "],
      [T.TemplateInterp, "${"],
      [T.Ident, "x"],
      [T.TemplateSeqEnd, "}"],
      [T.StringLit, "\n"],
      [T.CHeredoc, "EOT"],
      [T.Newline, "\n"],
    ],
  },
  {
    name: "indented heredoc with indented marker",
    src: "<<-EOT\n  a\n  EOT\n",
    want: [
      [T.OHeredoc, "<<-EOT\n"],
      [T.StringLit, "  a\n"],
      [T.CHeredoc, "  EOT"],
      [T.Newline, "\n"],
    ],
  },
  {
    name: "heredoc marker must start the line",
    src: "<<EOT\n${x}EOT\nEOT\n",
    want: [
      [T.OHeredoc, "<<EOT\n"],
      [T.TemplateInterp, "${"],
      [T.Ident, "x"],
      [T.TemplateSeqEnd, "}"],
      [T.StringLit, "EOT\n"],
      [T.CHeredoc, "EOT"],
      [T.Newline, "\n"],
    ],
  },
  {
    name: "heredoc with CRLF",
    src: "<<EOT\r\na\r\nEOT\r\n",
    want: [
      [T.OHeredoc, "<<EOT\r\n"],
      [T.StringLit, "a\r\n"],
      [T.CHeredoc, "EOT"],
      [T.Newline, "\r\n"],
    ],
  },
  {
    name: "unterminated heredoc",
    src: "<<EOT\na",
    want: [
      [T.OHeredoc, "<<EOT\n"],
      [T.StringLit, "a"],
    ],
  },
  {
    name: "<< without a marker is two less-thans",
    src: "a << b",
    want: [
      [T.Ident, "a"],
      [T.LessThan, "<"],
      [T.LessThan, "<"],
      [T.Ident, "b"],
    ],
  },
  {
    name: "bare template",
    src: "a ${b}\nc $",
    mode: "template",
    want: [
      [T.StringLit, "a "],
      [T.TemplateInterp, "${"],
      [T.Ident, "b"],
      [T.TemplateSeqEnd, "}"],
      [T.StringLit, "\n"],
      [T.StringLit, "c $"],
    ],
  },
  {
    name: "stray ~} and }",
    src: "~} }",
    want: [
      [T.TemplateSeqEnd, "~}"],
      [T.CBrace, "}"],
    ],
  },
  {
    name: "$ in normal mode",
    src: "${",
    want: [
      [T.Invalid, "$"],
      [T.OBrace, "{"],
    ],
  },
  {
    name: "tabs are whitespace",
    src: "\ta\t=\t1",
    want: [
      [T.Ident, "a"],
      [T.Equal, "="],
      [T.NumberLit, "1"],
    ],
  },
  {
    name: "astral character is one invalid token",
    src: "😀",
    want: [[T.Invalid, "😀"]],
  },
];

test("scanner token table", () => {
  for (const c of cases) {
    assert.deepEqual(toks(c.src, c.mode), c.want, c.name);
  }
});

test("bad UTF-8 bytes become BadUTF8 tokens with exact byte offsets", () => {
  const src = Buffer.from([0x61, 0x20, 0xff, 0x20, 0x22, 0xc3, 0x22]); // a <ff> "<c3>"
  const ts = scan(src, "t.hcl", "normal");
  assert.deepEqual(
    ts.map((t) => [t.type, t.range.start.byte, t.range.end.byte]),
    [
      [T.Ident, 0, 1],
      [T.BadUTF8, 2, 3],
      [T.OQuote, 4, 5],
      [T.BadUTF8, 5, 6],
      [T.CQuote, 6, 7],
      [T.EOF, 7, 7],
    ],
  );
});

test("a UTF-8 BOM is skipped but counted in byte offsets", () => {
  const ts = scan(Buffer.from("\ufeffa", "utf8"), "t.hcl", "normal");
  assert.equal(ts[0]!.text, "a");
  assert.deepEqual(ts[0]!.range.start, { line: 1, column: 1, byte: 3 });
});

test("positions: lines, columns (code points) and bytes", () => {
  const ts = scan('é = "ü😀"\n  b', "t.hcl", "normal");
  const pos = ts.map((t) => [
    t.text,
    `${t.range.start.line}:${t.range.start.column}:${t.range.start.byte}`,
    `${t.range.end.line}:${t.range.end.column}:${t.range.end.byte}`,
  ]);
  assert.deepEqual(pos, [
    ["é", "1:1:0", "1:2:2"],
    ["=", "1:3:3", "1:4:4"],
    ['"', "1:5:5", "1:6:6"],
    ["ü😀", "1:6:6", "1:8:12"],
    ['"', "1:8:12", "1:9:13"],
    ["\n", "1:9:13", "2:1:14"],
    ["b", "2:3:16", "2:4:17"],
    ["", "2:4:17", "2:4:17"],
  ]);
});

test("a start position offsets every token", () => {
  const ts = scan("a\nb", "t.hcl", "normal", { line: 10, column: 5, byte: 100 });
  assert.deepEqual(ts[0]!.range.start, { line: 10, column: 5, byte: 100 });
  assert.deepEqual(ts[2]!.range.start, { line: 11, column: 1, byte: 102 });
});

test("corpus: token text matches the bytes and positions are consistent", () => {
  const files = corpusFiles(isNativeHcl);
  assert.ok(files.length > 100);
  for (const f of files) {
    const buf = readFileSync(f);
    const ts = scan(buf, f, "normal");
    let line = 1;
    let col = 1;
    let byte = 0;
    const text = buf.toString("utf8");
    // Walk the source independently and check each token's start/end.
    let idx = 0;
    const advanceTo = (target: number) => {
      while (byte < target) {
        const cp = text.codePointAt(idx)!;
        const ch = String.fromCodePoint(cp);
        idx += ch.length;
        byte += Buffer.byteLength(ch);
        if (ch === "\n") {
          line++;
          col = 1;
        } else col++;
      }
    };
    for (const t of ts) {
      assert.equal(buf.subarray(t.range.start.byte, t.range.end.byte).toString("utf8"), t.text, f);
      advanceTo(t.range.start.byte);
      assert.deepEqual(t.range.start, { line, column: col, byte }, `${f}: start of ${t.text}`);
      advanceTo(t.range.end.byte);
      assert.deepEqual(t.range.end, { line, column: col, byte }, `${f}: end of ${t.text}`);
    }
    assert.equal(ts[ts.length - 1]!.range.end.byte, buf.length);
  }
});

test("the scanner never throws and always ends with EOF", () => {
  let seed = 42;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const alphabet = [
    '"',
    "$",
    "{",
    "}",
    "%",
    "~",
    "\\",
    "\n",
    "<<EOT\n",
    "EOT",
    "#",
    "/",
    "*",
    "a",
    "1",
    ".",
    " ",
    "\r",
    "é",
    "\ud800",
    "-",
  ];
  for (let i = 0; i < 3000; i++) {
    let s = "";
    const n = Math.floor(rnd() * 40);
    for (let j = 0; j < n; j++) s += alphabet[Math.floor(rnd() * alphabet.length)];
    for (const mode of ["normal", "template"] as const) {
      const ts = scan(s, "f", mode);
      assert.equal(ts[ts.length - 1]!.type, T.EOF);
      assert.equal(ts.map((t) => t.text).join("").length <= s.length, true);
    }
  }
});
