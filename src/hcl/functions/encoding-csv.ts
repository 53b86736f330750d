// A CSV reader with the behaviour of Go's encoding/csv Reader in its default
// configuration (comma separator, strict quotes, blank lines skipped, CRLF
// normalised, a fixed number of fields per record), as csvdecode uses it.

export class CsvParseError extends Error {
  readonly line: number;
  readonly reason: string;
  constructor(line: number, reason: string) {
    super(`CSV parse error on line ${line}: ${reason}`);
    this.name = "CsvParseError";
    this.line = line;
    this.reason = reason;
  }
}

const ERR_BARE_QUOTE = 'bare " in non-quoted-field';
const ERR_QUOTE = 'extraneous or missing " in quoted-field';
const ERR_FIELD_COUNT = "wrong number of fields";

export class CsvReader {
  private readonly src: string;
  private pos = 0;
  private numLine = 0;
  /** Expected fields per record; 0 means "set from the first record". */
  fieldsPerRecord = 0;

  constructor(src: string) {
    this.src = src;
  }

  /** Next line including its "\n" (CRLF normalised), and whether input ended. */
  private readLine(): [string, boolean] {
    if (this.pos >= this.src.length) return ["", true];
    const nl = this.src.indexOf("\n", this.pos);
    let line: string;
    if (nl < 0) {
      line = this.src.slice(this.pos);
      this.pos = this.src.length;
      if (line.endsWith("\r")) line = line.slice(0, -1);
    } else {
      line = this.src.slice(this.pos, nl + 1);
      this.pos = nl + 1;
    }
    this.numLine++;
    if (line.endsWith("\r\n")) line = `${line.slice(0, -2)}\n`;
    return [line, false];
  }

  /** The next record, or undefined at end of input. Throws CsvParseError. */
  read(): string[] | undefined {
    let line = "";
    let eof = false;
    for (;;) {
      [line, eof] = this.readLine();
      if (eof) return undefined;
      if (line === "\n") continue;
      break;
    }
    const recLine = this.numLine;
    const fields: string[] = [];
    let lineNo = recLine;
    const stripNL = (s: string) => (s.endsWith("\n") ? s.slice(0, -1) : s);
    parse: for (;;) {
      if (line.length === 0 || line[0] !== '"') {
        const i = line.indexOf(",");
        const field = i >= 0 ? line.slice(0, i) : stripNL(line);
        const j = field.indexOf('"');
        if (j >= 0) throw new CsvParseError(this.numLine, ERR_BARE_QUOTE);
        fields.push(field);
        if (i >= 0) {
          line = line.slice(i + 1);
          continue;
        }
        break;
      }
      // quoted field
      let buf = "";
      line = line.slice(1);
      for (;;) {
        const i = line.indexOf('"');
        if (i >= 0) {
          buf += line.slice(0, i);
          line = line.slice(i + 1);
          const rn = line[0];
          if (rn === '"') {
            buf += '"';
            line = line.slice(1);
          } else if (rn === ",") {
            line = line.slice(1);
            fields.push(buf);
            continue parse;
          } else if (line === "" || line === "\n") {
            fields.push(buf);
            break parse;
          } else {
            throw new CsvParseError(this.numLine, ERR_QUOTE);
          }
        } else if (line.length > 0) {
          buf += line;
          [line] = this.readLine();
          if (line.length > 0) lineNo++;
        } else {
          // Input ended inside a quoted field.
          throw new CsvParseError(lineNo, ERR_QUOTE);
        }
      }
    }
    if (this.fieldsPerRecord > 0) {
      if (fields.length !== this.fieldsPerRecord) {
        throw new CsvParseError(recLine, ERR_FIELD_COUNT);
      }
    } else if (this.fieldsPerRecord === 0) {
      this.fieldsPerRecord = fields.length;
    }
    return fields;
  }
}
