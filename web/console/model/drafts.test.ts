import { describe, expect, it } from "vitest";
import { DraftBook, draftKey, kDraftChars, kDraftCount, parseDrafts, type DraftStorage } from "./drafts";

class MemoryStorage implements DraftStorage {
  items = new Map<string, string>();
  refuse = false;
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    if (this.refuse) throw new Error("QuotaExceededError");
    this.items.set(key, value);
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}

describe("drafts", () => {
  it("come back in a new page of the same agent, not of another agent or tenant", () => {
    const storage = new MemoryStorage();
    const book = new DraftBook(storage, draftKey("demo", "dana"));
    book.set("c1", "Let me check your ord");
    book.set("c2", "您好，");
    expect(new DraftBook(storage, draftKey("demo", "dana")).get("c1")).toBe("Let me check your ord");
    expect(new DraftBook(storage, draftKey("demo", "dana")).get("c2")).toBe("您好，");
    expect(new DraftBook(storage, draftKey("demo", "ben")).get("c1")).toBe("");
    expect(new DraftBook(storage, draftKey("acme", "dana")).get("c1")).toBe("");
  });

  it("go when sent or closed (empty text removes), and the entry with the last one", () => {
    const storage = new MemoryStorage();
    const key = draftKey("demo", "dana");
    const book = new DraftBook(storage, key);
    book.set("c1", "one");
    book.set("c2", "two");
    book.set("c3", "three");
    book.set("c1", "   ");
    book.remove("c2", "c9");
    expect(new DraftBook(storage, key).get("c1")).toBe("");
    expect(new DraftBook(storage, key).get("c2")).toBe("");
    expect(new DraftBook(storage, key).get("c3")).toBe("three");
    book.remove("c3");
    expect(storage.items.has(key)).toBe(false);
  });

  it("two tabs of one agent keep each other's drafts", () => {
    const storage = new MemoryStorage();
    const key = draftKey("demo", "dana");
    const a = new DraftBook(storage, key);
    const b = new DraftBook(storage, key);
    a.set("c1", "from tab a");
    b.set("c2", "from tab b");
    a.set("c3", "a again");
    const later = new DraftBook(storage, key);
    expect([later.get("c1"), later.get("c2"), later.get("c3")]).toEqual(["from tab a", "from tab b", "a again"]);
  });

  it("are bounded: the newest kDraftCount, each cut to kDraftChars (never inside an emoji)", () => {
    const storage = new MemoryStorage();
    const key = draftKey("demo", "dana");
    const book = new DraftBook(storage, key);
    for (let i = 0; i < kDraftCount + 5; i++) book.set("c" + i, "text " + i, 1000 + i);
    const kept = parseDrafts(storage.getItem(key));
    expect(Object.keys(kept).length).toBe(kDraftCount);
    expect(kept.c0).toBeUndefined();
    expect(kept["c" + (kDraftCount + 4)].text).toBe("text " + (kDraftCount + 4));
    book.set("long", "a".repeat(kDraftChars - 1) + "😀😀");
    const long = new DraftBook(storage, key).get("long");
    expect(long.length).toBe(kDraftChars - 1);
  });

  it("storage that is missing, refuses or holds nonsense costs the drafts, nothing else", () => {
    const storage = new MemoryStorage();
    const key = draftKey("demo", "dana");
    storage.items.set(key, "{not json");
    expect(new DraftBook(storage, key).get("c1")).toBe("");
    storage.items.set(key, JSON.stringify({ c1: { text: 5 }, c2: { text: "ok", ts: 1 } }));
    expect(new DraftBook(storage, key).get("c2")).toBe("ok");
    storage.refuse = true;
    const book = new DraftBook(storage, key);
    book.set("c3", "kept in the page");
    expect(book.get("c3")).toBe("kept in the page");
    const none = new DraftBook(null, key);
    none.set("c1", "only here");
    expect(none.get("c1")).toBe("only here");
  });
});
