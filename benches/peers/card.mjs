// The blog card of svg-templates/blog.svg, as the peers take it: a CSS-styled element
// tree (the shape Satori and Takumi both read). Same size, fonts, colors and text.

export const TITLE = "Next.js Dynamic Image Generation: OG Images, Social Cards & More";

const el = (style, ...children) => ({ type: "div", props: { style: { display: "flex", ...style }, children } });

export function card() {
  return el(
    {
      width: 1200, height: 630, position: "relative", flexDirection: "column",
      // blog.svg's glow (a radial gradient at the bottom right) over its linear background.
      backgroundImage:
        "radial-gradient(circle 560px at 1120px 630px, rgba(56,189,248,0.22), rgba(56,189,248,0)), linear-gradient(152deg, #0f172a, #1e293b)",
      fontFamily: "Inter", color: "#f8fafc",
    },
    el({ position: "absolute", left: 0, top: 0, width: 12, height: 630, backgroundColor: "#38bdf8" }),
    el(
      { position: "absolute", left: 80, top: 136, width: 1040, height: 320, alignItems: "center" },
      el({ fontSize: 76, fontWeight: 700, letterSpacing: -1.2, lineHeight: 1.12 }, TITLE),
    ),
    el({ position: "absolute", left: 80, top: 490, width: 1040, height: 2, backgroundColor: "#334155" }),
    el({ position: "absolute", left: 80, top: 522, fontSize: 32, fontWeight: 600, color: "#f1f5f9" }, "Jane Doe"),
    el({ position: "absolute", right: 80, top: 524, fontSize: 28, fontWeight: 400, color: "#94a3b8" }, "2026-11-23"),
  );
}

/// The same tree for Takumi, whose nodes are containers and texts.
export function takumiNode(container, text) {
  const walk = (node) => {
    if (typeof node === "string") return text(node);
    const kids = (node.props.children ?? []).flat().map(walk);
    return container({ style: node.props.style, children: kids });
  };
  return walk(card());
}
