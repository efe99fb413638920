//! Where arrows cross: plain geometry over polylines, shared by the router (which
//! counts the crossings of an arrangement before drawing it, [`super::route`]) and the
//! measures of a drawn process ([`super::quality`]).

/// An arrow as a polyline, with the stages it joins.
#[derive(Debug, Clone, PartialEq)]
pub struct Polyline {
    pub from: usize,
    pub to: usize,
    pub points: Vec<(f64, f64)>,
}

/// Arrows of a fork or a merge may share their first or last legs: theirs is no crossing.
fn related(a: &Polyline, b: &Polyline) -> bool {
    a.from == b.from || a.to == b.to
}

/// Points where two unrelated arrows properly cross (not where they only touch).
pub fn crossings(lines: &[Polyline]) -> usize {
    crossed(lines).iter().sum::<usize>() / 2
}

/// How many times each arrow properly crosses an unrelated one.
pub(crate) fn crossed(lines: &[Polyline]) -> Vec<usize> {
    // Arrows whose bounding boxes do not meet cannot cross: most pairs, in a long flow.
    let bounds: Vec<(f64, f64, f64, f64)> = lines
        .iter()
        .map(|l| {
            l.points.iter().fold((f64::MAX, f64::MAX, f64::MIN, f64::MIN), |(x0, y0, x1, y1), &(x, y)| {
                (x0.min(x), y0.min(y), x1.max(x), y1.max(y))
            })
        })
        .collect();
    let mut count = vec![0; lines.len()];
    // Swept along the drawing's longer side (a wrapped flow is tall and narrow): each
    // arrow is compared only with those that start before it ends along that side.
    let (w, h) = bounds.iter().fold((0.0_f64, 0.0_f64), |(w, h), b| (w.max(b.2), h.max(b.3)));
    let along = |b: &(f64, f64, f64, f64)| if h > w { (b.1, b.3) } else { (b.0, b.2) };
    let mut order: Vec<usize> = (0..lines.len()).collect();
    order.sort_by(|&i, &j| along(&bounds[i]).0.total_cmp(&along(&bounds[j]).0).then(i.cmp(&j)));
    for (k, &i) in order.iter().enumerate() {
        let end = along(&bounds[i]).1;
        for &j in &order[k + 1..] {
            if along(&bounds[j]).0 > end {
                break;
            }
            let (p, q) = (bounds[i], bounds[j]);
            let (a, b) = (&lines[i], &lines[j]);
            if p.2 < q.0 || q.2 < p.0 || p.3 < q.1 || q.3 < p.1 || related(a, b) {
                continue;
            }
            for sa in a.points.windows(2) {
                for sb in b.points.windows(2) {
                    if proper_intersection(sa[0], sa[1], sb[0], sb[1]) {
                        count[i] += 1;
                        count[j] += 1;
                    }
                }
            }
        }
    }
    count
}

fn proper_intersection(p1: (f64, f64), p2: (f64, f64), q1: (f64, f64), q2: (f64, f64)) -> bool {
    let cross = |a: (f64, f64), b: (f64, f64), c: (f64, f64)| (b.0 - a.0) * (c.1 - a.1) - (b.1 - a.1) * (c.0 - a.0);
    let d1 = cross(q1, q2, p1);
    let d2 = cross(q1, q2, p2);
    let d3 = cross(p1, p2, q1);
    let d4 = cross(p1, p2, q2);
    d1 * d2 < 0.0 && d3 * d4 < 0.0
}
