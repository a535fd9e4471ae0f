;; Byte scanning kernel of the file source's literal prefilter (WebAssembly SIMD, 16 bytes per step).
;; Built into scan-wasm.ts by `npm run wasm` (scripts/build-wasm.mjs); kernel.ts loads it and falls back to
;; plain Buffer.indexOf when the runtime lacks SIMD. The caller copies the bytes to scan into this memory first.
(module
  (import "env" "memory" (memory 1))

  ;; How many newline bytes [p, end) holds.
  (func (export "count") (param $p i32) (param $end i32) (result i32)
    (local $n i32) (local $nl v128)
    (local.set $nl (i8x16.splat (i32.const 10)))
    ;; 64 bytes per turn: four compares, each reduced to a 16-bit mask whose set bits are the newlines.
    (block $done
      (loop $wide
        (br_if $done (i32.gt_u (i32.add (local.get $p) (i32.const 64)) (local.get $end)))
        (local.set $n (i32.add (local.get $n) (i32.add
          (i32.add
            (i32.popcnt (i8x16.bitmask (i8x16.eq (v128.load (local.get $p)) (local.get $nl))))
            (i32.popcnt (i8x16.bitmask (i8x16.eq (v128.load offset=16 (local.get $p)) (local.get $nl)))))
          (i32.add
            (i32.popcnt (i8x16.bitmask (i8x16.eq (v128.load offset=32 (local.get $p)) (local.get $nl))))
            (i32.popcnt (i8x16.bitmask (i8x16.eq (v128.load offset=48 (local.get $p)) (local.get $nl))))))))
        (local.set $p (i32.add (local.get $p) (i32.const 64)))
        (br $wide)))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $n (i32.add (local.get $n) (i32.eq (i32.load8_u (local.get $p)) (i32.const 10))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $tail)))
    (local.get $n))

  ;; 1 when the $m bytes at $a equal the $m bytes at $b.
  (func $same (param $a i32) (param $b i32) (param $m i32) (result i32)
    (block $differ
      (loop $next
        (if (i32.eqz (local.get $m)) (then (return (i32.const 1))))
        (br_if $differ (i32.ne (i32.load8_u (local.get $a)) (i32.load8_u (local.get $b))))
        (local.set $a (i32.add (local.get $a) (i32.const 1)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (local.set $m (i32.sub (local.get $m) (i32.const 1)))
        (br $next)))
    (i32.const 0))

  ;; $c with ASCII upper case folded to lower case.
  (func $lower (param $c i32) (result i32)
    (select (i32.or (local.get $c) (i32.const 32)) (local.get $c)
      (i32.lt_u (i32.sub (local.get $c) (i32.const 65)) (i32.const 26))))

  ;; 1 when the $m bytes at $a, ASCII case folded, equal the $m (lower case) bytes at $b.
  (func $same_folded (param $a i32) (param $b i32) (param $m i32) (result i32)
    (block $differ
      (loop $next
        (if (i32.eqz (local.get $m)) (then (return (i32.const 1))))
        (br_if $differ (i32.ne (call $lower (i32.load8_u (local.get $a))) (i32.load8_u (local.get $b))))
        (local.set $a (i32.add (local.get $a) (i32.const 1)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (local.set $m (i32.sub (local.get $m) (i32.const 1)))
        (br $next)))
    (i32.const 0))

  ;; $same or $same_folded.
  (func $equal (param $a i32) (param $b i32) (param $m i32) (param $fold i32) (result i32)
    (if (result i32) (local.get $fold)
      (then (call $same_folded (local.get $a) (local.get $b) (local.get $m)))
      (else (call $same (local.get $a) (local.get $b) (local.get $m)))))

  ;; The first s in [p, end - m] where the $m bytes at s equal the needle at $needle, or -1.
  ;; $i1 and $i2 are two positions in the needle (its rarest bytes): 16 starts are tested at once on those two
  ;; bytes, and only starts where both match are compared whole (a "packed pair" filter, as in grep and memchr).
  ;; With $fold the needle is lower case and the text is compared ignoring ASCII case: $o1 and $o2 are then 32
  ;; when the pair's byte is a letter (OR-ing 32 into a text byte lowers an upper-case letter), else 0.
  (func (export "find") (param $p i32) (param $end i32) (param $needle i32) (param $m i32) (param $i1 i32) (param $i2 i32)
    (param $o1 i32) (param $o2 i32) (param $fold i32) (result i32)
    (local $b1 v128) (local $b2 v128) (local $or1 v128) (local $or2 v128) (local $mask i32) (local $s i32) (local $limit i32)
    (local.set $b1 (i8x16.splat (i32.load8_u (i32.add (local.get $needle) (local.get $i1)))))
    (local.set $b2 (i8x16.splat (i32.load8_u (i32.add (local.get $needle) (local.get $i2)))))
    (local.set $or1 (i8x16.splat (local.get $o1)))
    (local.set $or2 (i8x16.splat (local.get $o2)))
    (local.set $limit (i32.sub (local.get $end) (local.get $m)))
    ;; While all 16 starts p..p+15 are ≤ limit, both loads stay below end (i1, i2 < m).
    (block $done
      (loop $wide
        (br_if $done (i32.gt_s (i32.add (local.get $p) (i32.const 15)) (local.get $limit)))
        (local.set $mask (i8x16.bitmask (v128.and
          (i8x16.eq (v128.or (v128.load (i32.add (local.get $p) (local.get $i1))) (local.get $or1)) (local.get $b1))
          (i8x16.eq (v128.or (v128.load (i32.add (local.get $p) (local.get $i2))) (local.get $or2)) (local.get $b2)))))
        (block $no_more
          (loop $candidates
            (br_if $no_more (i32.eqz (local.get $mask)))
            (local.set $s (i32.add (local.get $p) (i32.ctz (local.get $mask))))
            (if (call $equal (local.get $s) (local.get $needle) (local.get $m) (local.get $fold))
              (then (return (local.get $s))))
            (local.set $mask (i32.and (local.get $mask) (i32.sub (local.get $mask) (i32.const 1))))
            (br $candidates)))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $wide)))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.gt_s (local.get $p) (local.get $limit)))
        (if (call $equal (local.get $p) (local.get $needle) (local.get $m) (local.get $fold))
          (then (return (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $tail)))
    (i32.const -1))

  ;; The state a DFA scan ended in (read by the caller after dfa returns).
  (global $state (export "state") (mut i32) (i32.const 0))

  ;; Run a DFA over [p, end) from state $s: the first position where it enters an ending state, or -1. States are
  ;; pre-multiplied by the number of classes; at $d the next states (i32, index state + class), at $c each byte's
  ;; class (i32), at $e one byte per (pre-multiplied) state, non-zero where a literal ends. The state reached is
  ;; left in $state, so that the caller can resume after confirming or rejecting a hit.
  (func (export "dfa") (param $p i32) (param $end i32) (param $s i32) (param $d i32) (param $c i32) (param $e i32)
    (result i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $s (i32.load (i32.add (local.get $d) (i32.shl (i32.add (local.get $s)
          (i32.load (i32.add (local.get $c) (i32.shl (i32.load8_u (local.get $p)) (i32.const 2))))) (i32.const 2)))))
        (if (i32.load8_u (i32.add (local.get $e) (local.get $s)))
          (then
            (global.set $state (local.get $s))
            (return (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $next)))
    (global.set $state (local.get $s))
    (i32.const -1))

;; ---- window filter ----
  ;; A Rabin-Karp-like filter for many needles at once (window-filter.ts builds its tables): a position's next
  ;; 4 bytes, OR 0x20 in each (so ASCII case does not matter), hashed into a byte table where the needles' rarest
  ;; 4-byte windows were marked; a hit is tested again in a bit table under a second hash. Needles shorter than 4
  ;; bytes mark their 2-byte window in a table indexed by the 2 bytes (OR 0x2020). Each position's test is an
  ;; independent load and lookup, unlike a DFA's chain of dependent loads. Only every $stride-th position is
  ;; tested: each needle marked its windows at $stride successive places, so one of them is at a tested position.
  ;; The caller verifies each candidate.

  ;; 1 when the window at $q passes the long-window tables: byte table $t (hashed, shift $s1), then bit table $b
  ;; (second hash, shift $s2) either on the window alone (needles shorter than 8 bytes) or on 8 bytes holding it,
  ;; starting 0 to $back bytes before it (a window near its needle's end), all inside the region.
  (func $wf_long (param $q i32) (param $t i32) (param $s1 i32) (param $b i32) (param $s2 i32) (param $back i32)
    (result i32)
    (local $x i32) (local $h i32) (local $a i32)
    (local.set $x (i32.or (i32.load (local.get $q)) (i32.const 0x20202020)))
    (if (i32.eqz (i32.load8_u (i32.add (local.get $t)
        (i32.shr_u (i32.mul (local.get $x) (i32.const 0x9E3779B1)) (local.get $s1)))))
      (then (return (i32.const 0))))
    (local.set $h (i32.shr_u (i32.mul (local.get $x) (i32.const 0x85EBCA77)) (local.get $s2)))
    (if (i32.and (i32.const 1) (i32.shr_u
        (i32.load8_u (i32.add (local.get $b) (i32.shr_u (local.get $h) (i32.const 3))))
        (i32.and (local.get $h) (i32.const 7))))
      (then (return (i32.const 1))))
    (local.set $a (local.get $q))
    (loop $context
      ;; The context's hash plus its distance before the window (times a constant) tells offsets apart.
      (local.set $h (i32.shr_u (i32.add
        (i32.mul (i32.xor
            (i32.or (i32.load (local.get $a)) (i32.const 0x20202020))
            (i32.mul (i32.or (i32.load offset=4 (local.get $a)) (i32.const 0x20202020)) (i32.const 0xC2B2AE3D)))
          (i32.const 0x85EBCA77))
        (i32.mul (i32.sub (local.get $q) (local.get $a)) (i32.const 0x27D4EB2F))) (local.get $s2)))
      (if (i32.and (i32.const 1) (i32.shr_u
          (i32.load8_u (i32.add (local.get $b) (i32.shr_u (local.get $h) (i32.const 3))))
          (i32.and (local.get $h) (i32.const 7))))
        (then (return (i32.const 1))))
      (br_if $context (i32.and (i32.gt_u (local.get $a) (i32.const 0))
        (i32.le_u (i32.sub (local.get $q) (local.tee $a (i32.sub (local.get $a) (i32.const 1))))
          (local.get $back)))))
    (i32.const 0))

  ;; The first tested position q (p, p + stride, ...) below end passing the filter, or -1: a long window hit (see
  ;; $wf_long), or, when $t2 is not 0, a non-zero byte of the 64 KiB pair table at $t2 for the two bytes at q.
  ;; Bytes up to end + 4 * stride + 7 are read (past end they are stale: verification rejects what they let in).
  (func (export "window_filter") (param $p i32) (param $end i32) (param $t i32) (param $s1 i32) (param $b i32)
    (param $s2 i32) (param $t2 i32) (param $stride i32) (param $back i32) (result i32)
    (local $a1 i32) (local $a2 i32) (local $a3 i32) (local $any i32) (local $q i32)
    (loop $group
      (if (i32.ge_u (local.get $p) (local.get $end)) (then (return (i32.const -1))))
      (local.set $a1 (i32.add (local.get $p) (local.get $stride)))
      (local.set $a2 (i32.add (local.get $a1) (local.get $stride)))
      (local.set $a3 (i32.add (local.get $a2) (local.get $stride)))
      ;; Written out: V8 does not inline these calls.
      (local.set $any (i32.or
        (i32.or
          (i32.load8_u (i32.add (local.get $t) (i32.shr_u
            (i32.mul (i32.or (i32.load (local.get $p)) (i32.const 0x20202020)) (i32.const 0x9E3779B1))
            (local.get $s1))))
          (i32.load8_u (i32.add (local.get $t) (i32.shr_u
            (i32.mul (i32.or (i32.load (local.get $a1)) (i32.const 0x20202020)) (i32.const 0x9E3779B1))
            (local.get $s1)))))
        (i32.or
          (i32.load8_u (i32.add (local.get $t) (i32.shr_u
            (i32.mul (i32.or (i32.load (local.get $a2)) (i32.const 0x20202020)) (i32.const 0x9E3779B1))
            (local.get $s1))))
          (i32.load8_u (i32.add (local.get $t) (i32.shr_u
            (i32.mul (i32.or (i32.load (local.get $a3)) (i32.const 0x20202020)) (i32.const 0x9E3779B1))
            (local.get $s1)))))))
      (if (local.get $t2)
        (then
          (local.set $any (i32.or (local.get $any) (i32.or
            (i32.or (i32.load8_u (i32.add (local.get $t2) (i32.or (i32.load16_u (local.get $p)) (i32.const 0x2020))))
              (i32.load8_u (i32.add (local.get $t2) (i32.or (i32.load16_u (local.get $a1)) (i32.const 0x2020)))))
            (i32.or (i32.load8_u (i32.add (local.get $t2) (i32.or (i32.load16_u (local.get $a2)) (i32.const 0x2020))))
              (i32.load8_u (i32.add (local.get $t2) (i32.or (i32.load16_u (local.get $a3)) (i32.const 0x2020))))))))))
      (if (local.get $any)
        (then
          ;; Which of the 4 positions, if any, passes both levels.
          (local.set $q (local.get $p))
          (loop $each
            (if (i32.ge_u (local.get $q) (local.get $end)) (then (return (i32.const -1))))
            (if (i32.and (i32.ne (local.get $t2) (i32.const 0))
                (i32.ne (i32.const 0)
                  (i32.load8_u (i32.add (local.get $t2) (i32.or (i32.load16_u (local.get $q)) (i32.const 0x2020))))))
              (then (return (local.get $q))))
            (if (call $wf_long (local.get $q) (local.get $t) (local.get $s1) (local.get $b) (local.get $s2)
                (local.get $back))
              (then (return (local.get $q))))
            (local.set $q (i32.add (local.get $q) (local.get $stride)))
            (br_if $each (i32.le_u (local.get $q) (local.get $a3))))))
      (local.set $p (i32.add (local.get $a3) (local.get $stride)))
      (br $group))
    (i32.const -1))
)
