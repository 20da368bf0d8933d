import { describe, expect, it } from "vitest";
import { texts } from "../texts";
import { lengthNote, pasteInto, queueLine } from "./words";

describe("the queue line", () => {
  it("puts no space after a Chinese full stop, one after an English one", () => {
    expect(queueLine(texts.zh, 1, 120)).toBe("您正在排队，排第 1 位。预计等待约 2 分钟。");
    expect(queueLine(texts.en, 1, 120)).toBe("You are number 1 in line. Expected wait: about 2 min.");
    expect(queueLine(texts.zh, 3, 0)).toBe("您正在排队，排第 3 位。");
    expect(queueLine(texts.en, 3, 0)).toBe("You are number 3 in line.");
  });
  it("says plainly that nobody is online instead of a number of minutes", () => {
    expect(queueLine(texts.en, 2, 0, true)).toBe("You are number 2 in line. No agent is online right now. You keep your place in line.");
    expect(queueLine(texts.zh, 2, 0, true)).toBe("您正在排队，排第 2 位。目前没有客服在线，我们会为您保留排队位置。");
  });
});

describe("a long paste", () => {
  it("is cut to what the box holds, and says how much was left out", () => {
    const r = pasteInto("Hi ", 3, 3, "x".repeat(4100));
    expect(r.value.length).toBe(4000);
    expect(r.caret).toBe(4000);
    expect(r.cut).toBe(103);
    expect(lengthNote(texts.en, r.value.length, r.cut)).toBe("Too long: only the first 4,000 characters were pasted, 103 were left out. Send the rest in another message.");
    expect(lengthNote(texts.zh, r.value.length, r.cut)).toBe("内容太长：只粘贴了前 4,000 个字符，其余 103 个字符未粘贴。请把剩下的内容另发一条消息。");
  });

  it("replaces the selection, keeps what follows, and never splits an emoji", () => {
    const before = "a".repeat(3990) + "SEL" + "end";
    const r = pasteInto(before, 3990, 3993, "0123456789😀😀");
    expect(r.value).toBe("a".repeat(3990) + "0123456" + "end");
    expect(r.cut).toBe(7);
    const emoji = pasteInto("a".repeat(3995), 3995, 3995, "ab😀😀");
    expect(emoji.value).toBe("a".repeat(3995) + "ab😀"); // 4,000 units: the second emoji left out whole
    const split = pasteInto("a".repeat(3997), 3997, 3997, "ab😀😀");
    expect(split.value).toBe("a".repeat(3997) + "ab"); // half an emoji is not kept
    expect(split.cut).toBe(4);
  });

  it("fits: nothing is cut and nothing is said until the box is nearly full", () => {
    expect(pasteInto("Hi", 2, 2, " there").cut).toBe(0);
    expect(lengthNote(texts.en, 3599, 0)).toBe("");
    expect(lengthNote(texts.en, 3600, 0)).toBe("400 characters left");
    expect(lengthNote(texts.zh, 3999, 0)).toBe("还可输入 1 个字符");
    expect(lengthNote(texts.en, 4000, 0)).toBe("No room for more: 4,000 characters at most.");
    expect(lengthNote(texts.zh, 4000, 0)).toBe("已达上限：最多 4,000 个字符。");
  });
});
