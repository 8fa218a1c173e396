// kustomize's error text before tsops shows it: private-copy paths become the user's, and the lines and
// values of decrypted env files are blanked out.
import { describe, expect, it } from "vitest"
import { PlaintextScrubber } from "../../../plugins/flux/scrubber.js"

describe("PlaintextScrubber", () => {
  it("maps copy paths to user paths, longest first", () => {
    const scrubber = new PlaintextScrubber([["/tmp/x", "/repo"], ["/tmp/x/source", "/repo"]])
    expect(scrubber.paths("open /tmp/x/source/app/a.env: no such file")).toBe("open /repo/app/a.env: no such file")
  })

  it("blanks lines and values of remembered plaintext, and nothing shorter than 4 characters", () => {
    const scrubber = new PlaintextScrubber([])
    const plaintext = Buffer.from("PASSWORD=hunter2-SECRET\nbad line with SECRET words\nX=a\n")
    expect(scrubber.remember(plaintext)).toBe(plaintext)
    const out = scrubber.scrub(`invalid env: "bad line with SECRET words"; value hunter2-SECRET; key X=a`)
    expect(out).not.toContain("SECRET")
    expect(out).toContain("<redacted>")
    expect(out).toContain("key X=a")
  })
})
