/**
 * A minimal walk over the `Code` chunk's instructions. The compiler does not keep `-on_load`
 * as an attribute: it emits an `on_load` instruction before the function's `func_info`.
 */
import { GenAppupError } from "../errors.js";
import { compactOperand, u32 } from "./bytes.js";
import type { FunArity } from "./beam.js";

/** Operand count per opcode (genop.tab, OTP 20 to 29); gaps are opcodes no current compiler emits. */
const ARITY: (number | undefined)[] = [];
[
  "1:1 2:3 3:0 4:2 5:3 6:2 7:2 8:3 9:2 10:4 11:5 12:2 13:3 14:2 15:3 16:2 17:1 18:1 19:0 20:0 21:0 22:0",
  "23:2 24:1 25:1 26:2 39:3 40:3 41:3 42:3 43:3 44:3 45:2 46:2 47:2 48:2 49:2 50:2 51:2 52:2 53:2 55:2",
  "56:2 57:2 58:3 59:3 60:3 61:1 62:2 63:1 64:2 65:3 66:3 67:3 69:3 72:1 73:0 74:1 75:1 77:2 78:2 89:5",
  "90:5 91:5 92:2 94:0 95:1 96:2 97:2 98:4 99:4 100:4 101:4 102:3 103:1 104:2 105:1 106:1 107:1 108:2",
  "109:6 111:5 112:1 113:2 114:2 115:3 117:7 118:7 119:7 120:5 121:3 124:5 125:6 129:2 131:3 132:4",
  "133:0 134:8 135:6 136:2 137:6 138:5 139:4 140:5 141:4 142:5 143:4 144:3 145:3 146:3 147:3 148:3",
  "149:0 150:1 151:1 152:7 153:1 154:5 155:5 156:2 157:3 158:3 159:4 160:0 161:0 162:2 163:2 164:2",
  "165:3 166:4 167:3 168:2 169:2 170:4 171:3 172:1 173:2 174:1 175:1 176:1 177:6 178:3 179:0 180:1",
  "181:5 182:3 183:2 184:4 185:6 186:2 187:4 188:3 189:6 190:3 191:5",
]
  .join(" ")
  .split(" ")
  .forEach((p) => {
    const [op, n] = p.split(":").map(Number) as [number, number];
    ARITY[op] = n;
  });
const FUNC_INFO = 2,
  INT_CODE_END = 3,
  ON_LOAD = 149;
/** call_fun, apply, apply_last, call_fun2. */
const CALLS_FUNS = new Set([75, 112, 113, 178]);
const TAG_U = 0,
  TAG_A = 2,
  TAG_Z = 7;

/** What the code does that no table shows. */
export interface CodeFacts {
  /** The function marked `-on_load`. */
  onLoad?: FunArity;
  /** It calls a fun or an unknown module's function (call_fun, apply): code its callers pass in. */
  callsFuns: boolean;
}

/** Walks the `Code` chunk once. */
export function codeFacts(code: Uint8Array, atoms: string[], file: string): CodeFacts {
  const r = new OperandReader(code, file);
  r.pos = 4 + r.u32(0); // skip the sub-header, whose size comes first
  let current: FunArity | undefined;
  let onLoad: FunArity | undefined;
  let callsFuns = false;
  while (r.pos < code.length) {
    const op = code[r.pos++]!;
    if (op === INT_CODE_END) break;
    if (op === ON_LOAD) onLoad = current ?? r.fail("on_load outside a function");
    if (CALLS_FUNS.has(op)) callsFuns = true;
    if (op === FUNC_INFO) {
      r.operand();
      const f = r.operand(),
        a = r.operand();
      if (f.tag !== TAG_A || a.tag !== TAG_U) r.fail("malformed func_info");
      current = [atoms[f.value - 1] ?? r.fail(`atom ${f.value} out of range`), a.value];
      continue;
    }
    const arity = ARITY[op] ?? r.fail(`unknown instruction opcode ${op} (from a newer OTP?)`);
    for (let i = 0; i < arity; i++) r.operand();
  }
  return { ...(onLoad ? { onLoad } : {}), callsFuns };
}

class OperandReader {
  pos = 0;
  constructor(
    private b: Uint8Array,
    private file: string,
  ) {}

  fail(detail: string): never {
    throw new GenAppupError(this.file, `Code chunk: ${detail}`);
  }

  u32(at: number): number {
    return u32(this.b, at, (d) => this.fail(d));
  }

  /** One compact-encoded operand; extended (z) forms are consumed whole. */
  operand(): { tag: number; value: number } {
    const b0 = this.b[this.pos] ?? this.fail("truncated operand");
    if ((b0 & 7) === TAG_Z) {
      this.pos++;
      this.extended(b0);
      return { tag: TAG_Z, value: 0 };
    }
    const { tag, value, next } = compactOperand(this.b, this.pos, (d) => this.fail(d));
    this.pos = next;
    return { tag, value };
  }

  private extended(b0: number): void {
    if ((b0 & 0x08) !== 0) this.fail(`bad extended operand ${b0}`);
    switch (b0 >> 4) {
      case 0:
        this.pos += 8;
        return; // float
      case 1:
        for (let n = this.operand().value; n > 0; n--) this.operand();
        return; // list
      case 2:
        this.operand();
        return; // float register
      case 3:
        for (let n = 2 * this.operand().value; n > 0; n--) this.operand();
        return; // allocation list: type/count pairs
      case 4:
        this.operand();
        return; // literal
      case 5:
        this.operand();
        this.operand();
        return; // type-tagged register
      default:
        this.fail(`bad extended operand tag ${b0 >> 4}`);
    }
  }
}
