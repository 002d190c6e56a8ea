//! Slurm size and resource text in, numbers out: memory sizes with binary unit letters
//! (`100Mc`, `0.07Mn`, `4G`, `114944K`), TRES lists (`cpu=4,mem=16G,gres/gpu:a100=4`) and GRES
//! lists (`gpu:a100:4(S:0-1),mps:400`).

/// Whether a ReqMem value is per allocated CPU (`c`), per node (`n`) or for the whole job (no letter).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MemPer {
    Job,
    Cpu,
    Node,
}

/// The unit a size without a unit letter is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Plain {
    Bytes,
    Mib,
}

const KIB: u128 = 1 << 10;

/// Bytes of `s` = `NUMBER[K|M|G|T|P][c|n]` (binary units, as Slurm prints them), rounded up, and the
/// per-CPU/per-node letter when `per_letter` allows one. `None` when malformed.
pub(crate) fn parse_size(s: &str, plain: Plain, per_letter: bool) -> Option<(u128, MemPer)> {
    let mut body = s;
    let mut per = MemPer::Job;
    if per_letter {
        if let Some(rest) = body.strip_suffix('c') {
            body = rest;
            per = MemPer::Cpu;
        } else if let Some(rest) = body.strip_suffix('n') {
            body = rest;
            per = MemPer::Node;
        }
    }
    let (number, unit) = match body.as_bytes().last()? {
        b'0'..=b'9' | b'.' => (body, None),
        c => (&body[..body.len() - 1], Some(c.to_ascii_uppercase())),
    };
    let scale: u128 = match unit {
        None => match plain {
            Plain::Bytes => 1,
            Plain::Mib => KIB * KIB,
        },
        Some(b'K') => KIB,
        Some(b'M') => KIB.pow(2),
        Some(b'G') => KIB.pow(3),
        Some(b'T') => KIB.pow(4),
        Some(b'P') => KIB.pow(5),
        Some(_) => return None,
    };
    let nb = number.as_bytes();
    let (whole, frac) = match nb.iter().position(|&c| c == b'.') {
        Some(dot) => (nb.get(..dot)?, nb.get(dot + 1..)?),
        None => (nb, &[][..]),
    };
    if (whole.is_empty() && frac.is_empty()) || whole.len() > 18 || frac.len() > 9 {
        return None;
    }
    let value = |d: &[u8]| d.iter().try_fold(0u128, |v, &c| c.is_ascii_digit().then(|| v * 10 + u128::from(c - b'0')));
    let whole_v = value(whole)?;
    let frac_v = value(frac)?;
    let denom = 10u128.pow(frac.len() as u32);
    let bytes = whole_v * scale + (frac_v * scale).div_ceil(denom);
    Some((bytes, per))
}

/// MiB of a byte count, rounded up (a job that asked for 1 KiB needs 1 MiB of a node, not 0).
pub(crate) fn mib_ceil(bytes: u128) -> u64 {
    u64::try_from(bytes.div_ceil(KIB * KIB)).unwrap_or(u64::MAX)
}

/// GPUs named by a TRES list entry (`gres/gpu=4`, `gres/gpu:a100=4`) or a GRES entry (`gpu:4`,
/// `gpu:a100:4`, `gpu:a100:4(S:0-1)`, `gpu`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Gpus {
    /// The untyped total (`gres/gpu=4`), when given.
    pub total: Option<u32>,
    /// Typed counts (`gres/gpu:a100=4`), in the order given.
    pub typed: Vec<(String, u32)>,
}

impl Gpus {
    /// GPU count and model: the untyped total when given, else the sum of typed counts; the model
    /// when exactly one type is named.
    pub(crate) fn resolve(&self) -> (u32, Option<String>) {
        let typed_sum: u32 = self.typed.iter().map(|(_, n)| *n).fold(0, u32::saturating_add);
        let count = self.total.unwrap_or(typed_sum);
        let model = match self.typed.as_slice() {
            [(m, _)] => Some(m.to_ascii_lowercase()),
            [(m, _), rest @ ..] if rest.iter().all(|(r, _)| r.eq_ignore_ascii_case(m)) => Some(m.to_ascii_lowercase()),
            _ => None,
        };
        (count, model)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.total.is_none() && self.typed.is_empty()
    }
}

/// A parsed TRES list: what rocklift uses of it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Tres {
    pub cpu: Option<u32>,
    pub mem_bytes: Option<u128>,
    pub node: Option<u32>,
    pub gpus: Gpus,
    /// Licences (`license/NAME=N`), by name.
    pub licenses: Vec<String>,
}

/// Parse `key=value,key=value` (sacct ReqTRES/AllocTRES). `Err` names the entry that is malformed.
/// Licence names (`license/NAME=N`) are kept; other keys (`billing`, `energy`, other gres) are ignored.
pub(crate) fn parse_tres(s: &str) -> Result<Tres, String> {
    let mut t = Tres::default();
    for entry in s.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let Some((key, value)) = entry.split_once('=') else {
            return Err(format!("'{entry}' is not key=value"));
        };
        let key = key.trim().to_ascii_lowercase();
        let value = value.trim();
        let count = || value.parse::<u32>().map_err(|_| format!("'{entry}': '{value}' is not a whole number"));
        match key.as_str() {
            "cpu" => t.cpu = Some(count()?),
            "node" => t.node = Some(count()?),
            "mem" => {
                let (bytes, _) = parse_size(value, Plain::Mib, false)
                    .ok_or_else(|| format!("'{entry}': '{value}' is not a memory size"))?;
                t.mem_bytes = Some(bytes);
            }
            "gres/gpu" => t.gpus.total = Some(count()?),
            _ => {
                if let Some(model) = key.strip_prefix("gres/gpu:") {
                    t.gpus.typed.push((model.to_owned(), count()?));
                } else if let Some(name) = key.strip_prefix("license/") {
                    t.licenses.push(name.to_owned());
                }
            }
        }
    }
    Ok(t)
}

/// GPUs of a GRES list (`gpu:a100:4(S:0-1),mps:400`, `gpu:2`, `(null)`); other generic resources
/// are ignored. `Err` names a GPU entry whose count is not a number.
pub(crate) fn parse_gres(s: &str) -> Result<Gpus, String> {
    let mut g = Gpus::default();
    let s = s.trim();
    if s.is_empty() || s.eq_ignore_ascii_case("(null)") {
        return Ok(g);
    }
    for entry in split_outside_parens(s) {
        let entry = entry.trim();
        let bare = entry.split('(').next().unwrap_or(entry);
        let mut parts = bare.split(':');
        if !parts.next().is_some_and(|name| name.eq_ignore_ascii_case("gpu")) {
            continue;
        }
        let rest: Vec<&str> = parts.collect();
        let count_of = |c: &str| c.parse::<u32>().map_err(|_| format!("'{entry}': '{c}' is not a GPU count"));
        match rest.as_slice() {
            [] => g.total = Some(g.total.unwrap_or(0).saturating_add(1)),
            [c] if c.bytes().all(|b| b.is_ascii_digit()) => {
                g.total = Some(g.total.unwrap_or(0).saturating_add(count_of(c)?))
            }
            [model] => g.typed.push(((*model).to_owned(), 1)),
            [model, c, ..] => g.typed.push(((*model).to_owned(), count_of(c)?)),
        }
    }
    Ok(g)
}

fn split_outside_parens(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut from = 0;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth <= 0 => {
                out.push(&s[from..i]);
                from = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[from..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_with_units_and_per_letters() {
        assert_eq!(parse_size("100Mc", Plain::Mib, true), Some((100 << 20, MemPer::Cpu)));
        assert_eq!(parse_size("0.07Mn", Plain::Mib, true), Some((73_401, MemPer::Node)));
        assert_eq!(parse_size("4G", Plain::Mib, true), Some((4 << 30, MemPer::Job)));
        assert_eq!(parse_size("0n", Plain::Mib, true), Some((0, MemPer::Node)));
        assert_eq!(parse_size("30512M", Plain::Mib, true), Some((30_512 << 20, MemPer::Job)));
        assert_eq!(parse_size("2T", Plain::Mib, true), Some((2 << 40, MemPer::Job)));
        assert_eq!(parse_size("114944K", Plain::Bytes, false), Some((114_944 << 10, MemPer::Job)));
        assert_eq!(parse_size("117702656", Plain::Bytes, false), Some((117_702_656, MemPer::Job)));
        assert_eq!(parse_size("1024", Plain::Mib, true), Some((1 << 30, MemPer::Job)));
        for bad in ["100Mcd", "0.07Mnz", "", "M", "1.2.3G", "-4G", "4X"] {
            assert_eq!(parse_size(bad, Plain::Mib, true), None, "{bad}");
        }
        assert_eq!(mib_ceil(73_401), 1);
        assert_eq!(mib_ceil(100 << 20), 100);
    }

    #[test]
    fn tres_keeps_licence_names() {
        let t = parse_tres("billing=2,cpu=2,license/matlab=1,license/ansys=4,mem=4G,node=1").expect("tres");
        assert_eq!(t.licenses, ["matlab", "ansys"]);
        assert!(parse_tres("cpu=2").expect("tres").licenses.is_empty());
    }

    #[test]
    fn tres_and_gres_gpus() {
        let t = parse_tres("billing=112,cpu=36,gres/gpu:rtx2080ti=4,gres/gpu=4,mem=180G,node=1").expect("valid");
        assert_eq!((t.cpu, t.node, t.mem_bytes), (Some(36), Some(1), Some(180 << 30)));
        assert_eq!(t.gpus.resolve(), (4, Some("rtx2080ti".to_owned())));
        let t = parse_tres("cpu=8,gres/gpu:a100=2,gres/gpu:v100=2").expect("valid");
        assert_eq!(t.gpus.resolve(), (4, None));
        assert!(parse_tres("cpu=x").is_err());
        assert_eq!(parse_gres("gpu:a100:4(S:0-1),mps:400").expect("valid").resolve(), (4, Some("a100".to_owned())));
        assert_eq!(parse_gres("gpu:4").expect("valid").resolve(), (4, None));
        assert_eq!(parse_gres("(null)").expect("valid").resolve(), (0, None));
        assert_eq!(parse_gres("gpu:tesla:2(IDX:0,1)").expect("valid").resolve(), (2, Some("tesla".to_owned())));
        assert!(parse_gres("gpu:a100:x").is_err());
    }
}
