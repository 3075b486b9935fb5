//! Where a template splits into a background drawn once and a foreground drawn per request.
//!
//! resvg paints in document order, and a group that only transforms (or clips to the whole
//! card) paints its children straight onto the canvas, one after another. So the canvas at
//! the moment the first dynamic element starts is a pure function of the template and the
//! params the earlier elements bind: that is the background. The foreground document has
//! the same ancestors (so transforms, inherited styles and CSS still apply), the earlier
//! elements moved into `<defs>` (so every reference still resolves, but they are not drawn
//! again), and everything from the split point on. A group on the way that composites its
//! children as one layer (opacity, filter, mask, blend, a real clip) stops the split above
//! it: drawing its children in two passes would blend differently at the edges.

use super::compile::{Compiler, Level};
use super::probe::Probe;
use super::{Layers, Part, Piece, Span};

impl Compiler<'_> {
    /// The split, or why the template is drawn in one pass.
    pub(super) fn layers(
        &mut self,
        probe: &Probe,
        root: roxmltree::Node,
    ) -> Result<Layers, String> {
        if self.levels.is_empty() {
            return Err("nothing in it depends on a request".into());
        }
        if let Some(why) = Probe::root_effect(root) {
            return Err(why);
        }
        // The deepest level whose children may be drawn apart.
        let mut depth = 0;
        let mut limit = None;
        let mut idle_clips = vec![];
        for (i, level) in self.levels.iter().enumerate().skip(1) {
            match probe.isolation(level) {
                Err(why) => {
                    limit = Some(why);
                    break;
                }
                Ok(idle_clip) => idle_clips.extend(idle_clip),
            }
            depth = i;
        }
        // A clip that covers the card clips nothing, but it would make resvg draw the group
        // through a layer of its own, which rounds anti-aliased edges differently once the
        // group is drawn in two passes. Without it, both passes draw straight onto the canvas.
        for piece in idle_clips {
            self.pieces[piece] = Piece::Lit(String::new());
        }
        let levels = &self.levels[..=depth];
        let split = |l: &Level| l.children.iter().position(|c| c.on_path).unwrap_or(0);
        let draws_before = levels
            .iter()
            .any(|l| l.children[..split(l)].iter().any(|c| !c.definitions));
        if !draws_before {
            return Err(match limit {
                Some(why) => format!("nothing is drawn before it, and {why}"),
                None => "nothing is drawn before the first slot or condition".into(),
            });
        }
        let forward = self.forward_references(levels)?;
        let mut background = vec![];
        let mut foreground = vec![];
        for (i, level) in levels.iter().enumerate() {
            let s = split(level);
            background.push(Span::Pieces(level.open.clone()));
            foreground.push(Span::Pieces(level.open.clone()));
            let before = &level.children[..s];
            background.extend(before.iter().map(|c| Span::Pieces(c.range.clone())));
            if !before.is_empty() {
                foreground.push(Span::Lit("<defs>"));
                foreground.extend(before.iter().map(|c| Span::Pieces(c.range.clone())));
                foreground.push(Span::Lit("</defs>"));
            }
            // The deepest level keeps its path child in the foreground; above it, the path
            // child is the next level, opened and closed around its own parts.
            if i == depth {
                foreground.extend(
                    level.children[s..]
                        .iter()
                        .map(|c| Span::Pieces(c.range.clone())),
                );
            }
        }
        for (i, level) in levels.iter().enumerate().rev() {
            let after = if i == depth {
                split(level)
            } else {
                split(level) + 1
            };
            let later = &level.children[after..];
            if i != depth {
                foreground.extend(later.iter().map(|c| Span::Pieces(c.range.clone())));
            }
            // Definitions may come last (Figma writes its <defs> at the end).
            background.extend(
                later
                    .iter()
                    .filter(|c| c.definitions)
                    .map(|c| Span::Pieces(c.range.clone())),
            );
            for (_, c) in forward.iter().filter(|(l, _)| *l == i) {
                background.push(Span::Lit("<defs>"));
                background.push(Span::Pieces(level.children[*c].range.clone()));
                background.push(Span::Lit("</defs>"));
            }
            background.push(Span::Pieces(level.close.clone()));
            foreground.push(Span::Pieces(level.close.clone()));
        }
        let mut key_params: Vec<String> = vec![];
        for span in &background {
            let Span::Pieces(r) = span else { continue };
            for piece in &self.pieces[r.clone()] {
                if let Piece::Attr { pattern, .. } = piece {
                    for part in pattern {
                        if let Part::Param(p) = part {
                            if !key_params.contains(p) {
                                key_params.push(p.clone());
                            }
                        }
                    }
                }
            }
        }
        Ok(Layers {
            background,
            foreground,
            key_params,
            limit,
        })
    }

    /// Elements drawn after the split that the background refers to (`<use>` of a shape
    /// further on, an `feImage` of one): as `(level, child)`, to be put into the
    /// background's `<defs>` so the reference resolves there as it does in one pass. One
    /// that depends on the request (or leads to what does) stops the split instead.
    fn forward_references(&self, levels: &[Level]) -> Result<Vec<(usize, usize)>, String> {
        let depth = levels.len() - 1;
        let split = |l: &Level| l.children.iter().position(|c| c.on_path).unwrap_or(0);
        let mut wanted: Vec<&str> = vec![];
        let mut later = vec![];
        for (i, level) in levels.iter().enumerate() {
            let s = split(level);
            wanted.extend(
                level.children[..s]
                    .iter()
                    .flat_map(|c| c.refs.iter().map(String::as_str)),
            );
            let from = if i == depth { s } else { s + 1 };
            later.extend((from..level.children.len()).map(|c| (i, c)));
        }
        let on_path: Vec<&str> = levels.iter().skip(1).map(|l| l.id.as_str()).collect();
        let mut taken: Vec<(usize, usize)> = vec![];
        loop {
            if let Some(id) = wanted.iter().find(|id| on_path.contains(id)) {
                return Err(format!(
                    "an element before the first slot refers to #{id}, which holds it"
                ));
            }
            let next = later.iter().copied().find(|&(l, c)| {
                let child = &levels[l].children[c];
                !child.definitions
                    && !taken.contains(&(l, c))
                    && child.ids.iter().any(|id| wanted.contains(&id.as_str()))
            });
            let Some((l, c)) = next else { break };
            let child = &levels[l].children[c];
            let dynamic = child.on_path
                || self.pieces[child.range.clone()]
                    .iter()
                    .any(|p| !matches!(p, Piece::Lit(_)));
            if dynamic {
                let id = child.ids.iter().find(|id| wanted.contains(&id.as_str()));
                return Err(format!(
                    "an element before the first slot refers to #{}, which is drawn after it and depends on the request",
                    id.map_or("", String::as_str)
                ));
            }
            wanted.extend(child.refs.iter().map(String::as_str));
            taken.push((l, c));
        }
        Ok(taken)
    }
}
