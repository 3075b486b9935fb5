//! Drawing a tree one shape at a time, so a [`Stop`] can end it between shapes.
//!
//! `resvg::render` draws a whole tree in one call that cannot be interrupted. resvg also
//! draws one node with `resvg::render_node`, so we walk the tree ourselves and hand it the
//! pieces: a group resvg would draw straight onto the canvas (no opacity, blend, clip,
//! mask or filter: `should_isolate` false) is walked into, as is an SVG picture (drawn on a
//! canvas-sized layer, as resvg does); anything else (a path, text, a raster picture, an
//! isolated group) is one piece, drawn whole by resvg.
//!
//! The pixels are bit for bit those of `resvg::render` (tests hold it over the bundled
//! templates and resvg's own suite). `render_node` draws a node shifted to its own bounding
//! box, `transform.pre_translate(-x, -y)`; we give it a transform that comes back, after
//! that shift and its float rounding, to exactly the one `resvg::render` would use, found
//! within a few ulps of the plain inverse. Where no such transform exists the node's parent
//! is drawn whole instead, and if that reaches the root, the tree is drawn by
//! `resvg::render` without stops.

use tiny_skia::{Pixmap, PixmapMut, PixmapPaint, Transform};

use crate::error::{Error, Result};
use crate::stop::Stop;

/// Draws `tree` under `ts` as `resvg::render(tree, ts, pixmap)` would, looking at `stop`
/// before each piece; [`Error::Stopped`] when it was raised (the canvas then holds part of
/// the card).
pub(super) fn render(
    tree: &usvg::Tree,
    ts: Transform,
    pixmap: &mut PixmapMut,
    stop: &Stop,
) -> Result<()> {
    let root = tree.root();
    if !root.children().iter().all(|n| drawable(n, ts)) {
        resvg::render(tree, ts, pixmap);
        return Ok(());
    }
    draw_children(root, ts, pixmap, stop)
}

fn draw_children(
    group: &usvg::Group,
    ts: Transform,
    pixmap: &mut PixmapMut,
    stop: &Stop,
) -> Result<()> {
    for node in group.children() {
        if stop.is_stopped() {
            return Err(Error::Stopped);
        }
        draw(node, ts, pixmap, stop)?;
    }
    Ok(())
}

/// Draws a node its parent found [`drawable`]: walked into where it can be, else whole.
fn draw(node: &usvg::Node, ts: Transform, pixmap: &mut PixmapMut, stop: &Stop) -> Result<()> {
    if splittable(node, ts) {
        return match node {
            usvg::Node::Group(g) => draw_children(g, ts.pre_concat(g.transform()), pixmap, stop),
            usvg::Node::Image(image) => match image.kind() {
                usvg::ImageKind::SVG(tree) if image.is_visible() => {
                    draw_picture(tree, ts, pixmap, stop)
                }
                // An invisible picture draws nothing.
                _ => Ok(()),
            },
            _ => unreachable!("only groups and pictures split"),
        };
    }
    if let Some((shifted, _)) = shifted(node, ts) {
        resvg::render_node(node, shifted, pixmap);
    }
    Ok(())
}

/// An SVG picture as resvg's `render_vector` draws it: its tree on a transparent layer the
/// canvas's size, then that layer over the canvas.
fn draw_picture(
    tree: &usvg::Tree,
    ts: Transform,
    pixmap: &mut PixmapMut,
    stop: &Stop,
) -> Result<()> {
    let Some(mut layer) = Pixmap::new(pixmap.width(), pixmap.height()) else {
        return Ok(());
    };
    draw_children(tree.root(), ts, &mut layer.as_mut(), stop)?;
    let paint = PixmapPaint::default();
    pixmap.draw_pixmap(0, 0, layer.as_ref(), &paint, Transform::default(), None);
    Ok(())
}

/// Whether `node` can be drawn exactly under `ts`: split into pieces, or whole.
fn drawable(node: &usvg::Node, ts: Transform) -> bool {
    if splittable(node, ts) {
        return true;
    }
    match shifted(node, ts) {
        Some((_, exact)) => exact,
        // `render_node` draws nothing for a node without a bounding box (usvg gives none to
        // a horizontal or vertical line, stroke or not): only one that draws nothing
        // anyway (a line without a stroke) may be left out; a stroked line needs its
        // parent drawn whole.
        None => !matches!(node, usvg::Node::Path(p) if p.stroke().is_some()),
    }
}

/// Whether `node` is walked into: a plain group or an SVG picture (or an invisible picture,
/// which draws nothing) whose every child is drawable.
fn splittable(node: &usvg::Node, ts: Transform) -> bool {
    match node {
        usvg::Node::Group(g) if !g.should_isolate() => {
            let ts = ts.pre_concat(g.transform());
            g.children().iter().all(|n| drawable(n, ts))
        }
        usvg::Node::Image(image) => match image.kind() {
            usvg::ImageKind::SVG(tree) if image.is_visible() => {
                tree.root().children().iter().all(|n| drawable(n, ts))
            }
            usvg::ImageKind::SVG(_) => true,
            _ => false,
        },
        _ => false,
    }
}

/// The transform to give `resvg::render_node` so that it draws `node` under exactly `ts`,
/// and whether it is exact. `None` for a node with no bounding box, which resvg draws as
/// nothing either way.
fn shifted(node: &usvg::Node, ts: Transform) -> Option<(Transform, bool)> {
    let bbox = node.abs_layer_bounding_box()?;
    let (x, y) = (bbox.x(), bbox.y());
    let back = |t: Transform| t.pre_translate(-x, -y);
    let mut t = ts.pre_translate(x, y);
    if back(t) != ts {
        // The shift back rounds; search the neighbours of each offset for one that lands
        // on `ts`. The x offset decides only `tx`, the y offset only `ty`. There may be
        // none: when the shift is much larger than `ts`'s own offset, the sum can only land
        // on a coarser grid of floats than the offset is on.
        let tx = nearby(t.tx).find(|&tx| back(Transform { tx, ..t }).tx == ts.tx);
        let ty = nearby(t.ty).find(|&ty| back(Transform { ty, ..t }).ty == ts.ty);
        t.tx = tx.unwrap_or(t.tx);
        t.ty = ty.unwrap_or(t.ty);
    }
    Some((t, back(t) == ts))
}

/// `v` and its float neighbours, nearest first, up to 8 ulps away.
fn nearby(v: f32) -> impl Iterator<Item = f32> {
    (1..=8).flat_map(move |k| {
        let up = (0..k).fold(v, |a, _| a.next_up());
        let down = (0..k).fold(v, |a, _| a.next_down());
        [up, down]
    })
}
