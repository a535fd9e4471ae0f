import { describe, expect, it } from "vitest";
import { CountingAck } from "./record.js";

describe("CountingAck", () => {
  it("completes only when the initial hold and every later hold are released, once", () => {
    let done = 0;
    const ack = new CountingAck(() => done++);
    const a = ack.hold();
    const b = ack.hold();
    ack.releaseInitial();
    a();
    a();
    expect(done).toBe(0);
    b();
    expect(done).toBe(1);
    ack.hold()();
    expect(done).toBe(1);
  });

  it("completes with no holds as soon as dispatch releases the initial hold", () => {
    let done = false;
    const ack = new CountingAck(() => (done = true));
    ack.releaseInitial();
    expect(done).toBe(true);
  });
});
