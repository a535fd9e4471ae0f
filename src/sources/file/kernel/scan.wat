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

  ;; ---- teddy ----
  ;; A few needles found in one pass, 16 positions per step (after Hyperscan's Teddy). Each needle is represented
  ;; by a window of up to 3 of its bytes (any, the least seen in the text) and put in one of 8 buckets. At $t:
  ;; for window positions 0, 1, 2 a low-nibble and a high-nibble table (16 bytes each) whose byte for a nibble
  ;; has the bit of every bucket with a needle whose window byte there may have that nibble (all bits where a
  ;; shorter window has no byte); then 16 bytes of scratch; then per bucket its first record and record count
  ;; (i32 pairs); then the records, 16 bytes each: how far the window's last byte lies from the needle's start,
  ;; where the needle's bytes are (from $t; its case mask follows them, see $teddy_same), its length, and flags
  ;; (2: anchored at a line start).
  ;; Candidates (a byte whose window positions all agree on a bucket) are compared whole, needle by needle, each
  ;; comparison taken from $teddy_budget: when it runs out teddy gives up (-2), so that too many false candidates
  ;; (needles alike in one bucket, or common windows) cost no more than the caller allows before it searches
  ;; another way.
  (global $teddy_budget (export "teddy_budget") (mut i32) (i32.const 0))

  ;; The first needle found wholly inside [p, end) (in the order of its window's last byte): where it starts,
  ;; plus one for a needle anchored at a line start (so: a position inside the line it is in), or -1; -2 when
  ;; the budget ran out.
  (func (export "teddy") (param $p i32) (param $end i32) (param $t i32) (result i32)
    (local $from i32) (local $mask i32) (local $hit i32)
    (local $lo0 v128) (local $hi0 v128) (local $lo1 v128) (local $hi1 v128) (local $lo2 v128) (local $hi2 v128)
    (local $prev0 v128) (local $prev1 v128) (local $v v128) (local $lo v128) (local $hi v128)
    (local $r0 v128) (local $r1 v128) (local $res v128) (local $nibble v128)
    (local.set $from (local.get $p))
    (local.set $lo0 (v128.load (local.get $t)))
    (local.set $hi0 (v128.load offset=16 (local.get $t)))
    (local.set $lo1 (v128.load offset=32 (local.get $t)))
    (local.set $hi1 (v128.load offset=48 (local.get $t)))
    (local.set $lo2 (v128.load offset=64 (local.get $t)))
    (local.set $hi2 (v128.load offset=80 (local.get $t)))
    (local.set $nibble (i8x16.splat (i32.const 15)))
    ;; Before $p every bucket agrees: a needle starting before $p is then rejected by its bounds.
    (local.set $prev0 (i8x16.splat (i32.const -1)))
    (local.set $prev1 (local.get $prev0))
    (block $done
      (loop $block
        (br_if $done (i32.ge_s (local.get $p) (local.get $end)))
        (local.set $v (v128.load (local.get $p)))
        (local.set $lo (v128.and (local.get $v) (local.get $nibble)))
        (local.set $hi (i8x16.shr_u (local.get $v) (i32.const 4)))
        (local.set $r0 (v128.and (i8x16.swizzle (local.get $lo0) (local.get $lo))
          (i8x16.swizzle (local.get $hi0) (local.get $hi))))
        (local.set $r1 (v128.and (i8x16.swizzle (local.get $lo1) (local.get $lo))
          (i8x16.swizzle (local.get $hi1) (local.get $hi))))
        ;; Lane i: the buckets whose window may end at p + i (position 0 two bytes back, position 1 one back).
        (local.set $res (v128.and
          (v128.and (i8x16.swizzle (local.get $lo2) (local.get $lo)) (i8x16.swizzle (local.get $hi2) (local.get $hi)))
          (v128.and
            (i8x16.shuffle 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 (local.get $prev1) (local.get $r1))
            (i8x16.shuffle 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 (local.get $prev0) (local.get $r0)))))
        (local.set $prev0 (local.get $r0))
        (local.set $prev1 (local.get $r1))
        (local.set $mask (i32.xor (i8x16.bitmask (i8x16.eq (local.get $res) (v128.const i64x2 0 0)))
          (i32.const 0xffff)))
        (if (local.get $mask)
          (then
            ;; Lanes past the end hold bytes of no interest (whatever the memory has there).
            (if (i32.lt_s (i32.sub (local.get $end) (local.get $p)) (i32.const 16))
              (then (local.set $mask (i32.and (local.get $mask)
                (i32.sub (i32.shl (i32.const 1) (i32.sub (local.get $end) (local.get $p))) (i32.const 1))))))
            (v128.store offset=96 (local.get $t) (local.get $res))
            (local.set $hit (call $teddy_confirm (local.get $p) (local.get $mask) (local.get $from)
              (local.get $end) (local.get $t)))
            (if (i32.ne (local.get $hit) (i32.const -1)) (then (return (local.get $hit))))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $block)))
    (i32.const -1))

  ;; The candidates of one block (lanes set in $mask, their buckets in the scratch at $t + 96): the first one
  ;; that is a whole needle inside [from, end), as teddy returns it, or -1 (-2: the budget ran out).
  (func $teddy_confirm (param $p i32) (param $mask i32) (param $from i32) (param $end i32) (param $t i32)
    (result i32)
    (local $lane i32) (local $bits i32) (local $bucket i32) (local $rec i32) (local $last i32) (local $start i32)
    (local $length i32) (local $flags i32)
    (block $no_more
      (loop $lanes
        (br_if $no_more (i32.eqz (local.get $mask)))
        (local.set $lane (i32.ctz (local.get $mask)))
        (local.set $mask (i32.and (local.get $mask) (i32.sub (local.get $mask) (i32.const 1))))
        (local.set $bits (i32.load8_u offset=96 (i32.add (local.get $t) (local.get $lane))))
        (block $lane_done
          (loop $buckets
            (br_if $lane_done (i32.eqz (local.get $bits)))
            (local.set $bucket (i32.add (local.get $t) (i32.shl (i32.ctz (local.get $bits)) (i32.const 3))))
            (local.set $bits (i32.and (local.get $bits) (i32.sub (local.get $bits) (i32.const 1))))
            (local.set $rec (i32.add (local.get $t) (i32.load offset=112 (local.get $bucket))))
            (local.set $last (i32.add (local.get $rec) (i32.shl (i32.load offset=116 (local.get $bucket))
              (i32.const 4))))
            (block $bucket_done
              (loop $records
                (br_if $bucket_done (i32.ge_u (local.get $rec) (local.get $last)))
                (global.set $teddy_budget (i32.sub (global.get $teddy_budget) (i32.const 1)))
                (if (i32.lt_s (global.get $teddy_budget) (i32.const 0)) (then (return (i32.const -2))))
                (local.set $start (i32.sub (i32.add (local.get $p) (local.get $lane)) (i32.load (local.get $rec))))
                (local.set $length (i32.load offset=8 (local.get $rec)))
                (local.set $flags (i32.load offset=12 (local.get $rec)))
                (if (i32.and
                      (i32.ge_s (local.get $start) (local.get $from))
                      (i32.le_s (i32.add (local.get $start) (local.get $length)) (local.get $end)))
                  (then
                    (if (call $teddy_same (local.get $start)
                          (i32.add (local.get $t) (i32.load offset=4 (local.get $rec))) (local.get $length))
                      (then (return (i32.add (local.get $start) (i32.shr_u (local.get $flags) (i32.const 1))))))))
                (local.set $rec (i32.add (local.get $rec) (i32.const 16)))
                (br $records)))
            (br $buckets)))
        (br $lanes)))
    (i32.const -1))

  ;; 1 when the $m bytes at $a equal the needle at $b, 8 at a time: each text byte OR its case mask byte (the $m
  ;; bytes after the needle's: 32 where a folded needle has a lower-case letter, so either case matches; else 0).
  (func $teddy_same (param $a i32) (param $b i32) (param $m i32) (result i32)
    (local $i i32) (local $mask i32)
    (local.set $mask (i32.add (local.get $b) (local.get $m)))
    (if (i32.lt_u (local.get $m) (i32.const 8))
      (then
        (block $differ
          (loop $bytes
            (br_if $differ (i32.ne (i32.or (i32.load8_u (i32.add (local.get $a) (local.get $i)))
              (i32.load8_u (i32.add (local.get $mask) (local.get $i))))
              (i32.load8_u (i32.add (local.get $b) (local.get $i)))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $bytes (i32.lt_u (local.get $i) (local.get $m)))
            (return (i32.const 1))))
        (return (i32.const 0))))
    ;; Whole words, then the last 8 bytes (overlapping the words before them).
    (block $differ
      (loop $words
        (br_if $differ (i64.ne (i64.or (i64.load (i32.add (local.get $a) (local.get $i)))
          (i64.load (i32.add (local.get $mask) (local.get $i)))) (i64.load (i32.add (local.get $b) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br_if $words (i32.le_u (i32.add (local.get $i) (i32.const 8)) (local.get $m))))
      (local.set $i (i32.sub (local.get $m) (i32.const 8)))
      (return (i64.eq (i64.or (i64.load (i32.add (local.get $a) (local.get $i)))
        (i64.load (i32.add (local.get $mask) (local.get $i)))) (i64.load (i32.add (local.get $b) (local.get $i))))))
    (i32.const 0))
;; ---- window filter ----
  ;; A Rabin-Karp-like filter for many needles at once (window-filter.ts builds its tables): a position's next
  ;; 4 bytes, OR 0x20 in each (so ASCII case does not matter), hashed into a byte table where the needles' rarest
  ;; 4-byte windows were marked; a hit is tested again in a bit table under a second hash. Needles shorter than 4
  ;; bytes mark their 2-byte window in a table indexed by the 2 bytes (OR 0x2020). Each position's test is an
  ;; independent load and lookup, unlike a DFA's chain of dependent loads. Only every $stride-th position is
  ;; tested: each needle marked its windows at $stride successive places, so one of them is at a tested position.
  ;; With a verify table ($v, see $wf_verify) a long-window pass is verified here and only hits come back; a pair
;; table pass (needles under 4 bytes) comes back as a candidate for the caller to verify.

  ;; 1 after window_filter returned a verified hit (a needle's last byte), 0 after it returned a candidate.
  (global $wf_verified (export "wf_verified") (mut i32) (i32.const 0))

  ;; The last byte of a needle occurrence holding, at q, a window marked in the byte table's slot of q's 4 bytes,
  ;; or -1 (verify table at $v, see $wf_bucket).
  (func $wf_verify (param $q i32) (param $from i32) (param $end i32) (param $v i32) (param $s1 i32) (result i32)
    (call $wf_bucket (local.get $q) (local.get $from) (local.get $end) (local.get $v) (i32.shr_u
      (i32.mul (i32.or (i32.load (local.get $q)) (i32.const 0x20202020)) (i32.const 0x9E3779B1)) (local.get $s1))))

  ;; $wf_verify for the bucket of byte-table slot $slot (the line-start pass hashes otherwise). The verify table at
  ;; $v (window-filter.ts, needleTable): a u32 offset (from $v) of the bucket starts; from $v + 8, per block of 32
  ;; slots a u32 bitmap of its marked slots and a u32 count of marked slots before the block; the bucket starts, a
  ;; u32 offset per marked slot in slot order and one past the last; a bucket's entries of 20 bytes: i32 at (the
  ;; window's offset in its needle), u32 length, u32 offset of the needle's bytes (followed by as many mask bytes,
  ;; 0x20 where a folded needle has a lower-case letter), the needle's last 4 bytes and their mask (all ones for
  ;; needles under 4 bytes, which any word passes). An occurrence lies in [from - 1, end), the byte at from - 1
  ;; read as a newline (the region starts a line).
  (func $wf_bucket (param $q i32) (param $from i32) (param $end i32) (param $v i32) (param $slot i32) (result i32)
    (local $e i32) (local $last i32) (local $start i32) (local $n i32) (local $d i32) (local $i i32) (local $bits i32)
    (local.set $e (i32.add (i32.add (local.get $v) (i32.const 8)) (i32.shl (i32.shr_u (local.get $slot) (i32.const 5))
      (i32.const 3))))
    (local.set $bits (i32.load (local.get $e)))
    (if (i32.eqz (i32.and (i32.shr_u (local.get $bits) (local.get $slot)) (i32.const 1)))
      (then (return (i32.const -1))))
    ;; The slot's rank among the marked ones: the block's count plus the marked slots below it in the block.
    (local.set $e (i32.add (i32.add (local.get $v) (i32.load (local.get $v))) (i32.shl (i32.add
      (i32.load offset=4 (local.get $e))
      (i32.popcnt (i32.and (local.get $bits)
        (i32.sub (i32.shl (i32.const 1) (i32.and (local.get $slot) (i32.const 31))) (i32.const 1)))))
      (i32.const 2))))
    (local.set $last (i32.add (local.get $v) (i32.load offset=4 (local.get $e))))
    (local.set $e (i32.add (local.get $v) (i32.load (local.get $e))))
    (block $none
      (loop $entry
        (br_if $none (i32.ge_u (local.get $e) (local.get $last)))
        (local.set $start (i32.sub (local.get $q) (i32.load (local.get $e))))
        (local.set $n (i32.load offset=4 (local.get $e)))
        (block $miss
          (br_if $miss (i32.lt_s (local.get $start) (i32.sub (local.get $from) (i32.const 1))))
          (br_if $miss (i32.gt_s (i32.add (local.get $start) (local.get $n)) (local.get $end)))
          ;; The last 4 bytes first, from the entry itself: most misses end here without reading the needle.
          (if (i32.ge_s (i32.sub (i32.add (local.get $start) (local.get $n)) (i32.const 4)) (local.get $from))
            (then (br_if $miss (i32.ne
              (i32.or (i32.load (i32.sub (i32.add (local.get $start) (local.get $n)) (i32.const 4)))
                (i32.load offset=16 (local.get $e)))
              (i32.load offset=12 (local.get $e))))))
          (local.set $d (i32.add (local.get $v) (i32.load offset=8 (local.get $e))))
          (local.set $i (i32.const 0))
          (if (i32.eq (local.get $start) (i32.sub (local.get $from) (i32.const 1)))
            (then
              (br_if $miss (i32.ne (i32.load8_u (local.get $d)) (i32.const 10)))
              (local.set $i (i32.const 1))))
          (block $words_done
            (loop $words
              (br_if $words_done (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $n)))
              (br_if $miss (i32.ne
                (i32.or (i32.load (i32.add (local.get $start) (local.get $i)))
                  (i32.load (i32.add (i32.add (local.get $d) (local.get $n)) (local.get $i))))
                (i32.load (i32.add (local.get $d) (local.get $i)))))
              (local.set $i (i32.add (local.get $i) (i32.const 4)))
              (br $words)))
          (block $bytes_done
            (loop $bytes
              (br_if $bytes_done (i32.ge_u (local.get $i) (local.get $n)))
              (br_if $miss (i32.ne
                (i32.or (i32.load8_u (i32.add (local.get $start) (local.get $i)))
                  (i32.load8_u (i32.add (i32.add (local.get $d) (local.get $n)) (local.get $i))))
                (i32.load8_u (i32.add (local.get $d) (local.get $i)))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $bytes)))
          (return (i32.sub (i32.add (local.get $start) (local.get $n)) (i32.const 1))))
        (local.set $e (i32.add (local.get $e) (i32.const 20)))
        (br $entry)))
    (i32.const -1))

  ;; The first tested position q (p, p + stride, ...) below end passing the filter, or -1: a long window hit (its
  ;; byte-table slot not 0, then the bit table on the slot's marks), or, when $t2 is not 0, a non-zero byte of the
  ;; 64 KiB pair table at $t2 for the two bytes at q. With a verify table at $v (not 0), a long window hit is
  ;; verified (see $wf_verify, region start $from): the hit's last byte is returned and $wf_verified set, and a
  ;; miss goes on scanning. Bytes up to end + 4 * stride + 7 are read (past end they are stale: verification
  ;; rejects what they let in).
  (func (export "window_filter") (param $p i32) (param $end i32) (param $t i32) (param $s1 i32) (param $b i32)
    (param $s2 i32) (param $t2 i32) (param $stride i32) (param $from i32) (param $v i32) (result i32)
    (local $a1 i32) (local $a2 i32) (local $a3 i32) (local $slots i32) (local $pairs i32) (local $q i32)
    (local $r i32) (local $marks i32) (local $h i32) (local $a i32) (local $skip i32)
    (global.set $wf_verified (i32.const 0))
    (loop $group
      (if (i32.ge_u (local.get $p) (local.get $end)) (then (return (i32.const -1))))
      (local.set $a1 (i32.add (local.get $p) (local.get $stride)))
      (local.set $a2 (i32.add (local.get $a1) (local.get $stride)))
      (local.set $a3 (i32.add (local.get $a2) (local.get $stride)))
      ;; Written out (V8 does not inline calls): byte i of $slots is position i's byte-table slot.
      (local.set $slots (i32.or
        (i32.or
          (i32.load8_u (i32.add (local.get $t) (i32.shr_u
          (i32.mul (i32.or (i32.load (local.get $p)) (i32.const 0x20202020)) (i32.const 0x9E3779B1))
          (local.get $s1))))
          (i32.shl (i32.load8_u (i32.add (local.get $t) (i32.shr_u
          (i32.mul (i32.or (i32.load (local.get $a1)) (i32.const 0x20202020)) (i32.const 0x9E3779B1))
          (local.get $s1)))) (i32.const 8)))
        (i32.or
          (i32.shl (i32.load8_u (i32.add (local.get $t) (i32.shr_u
          (i32.mul (i32.or (i32.load (local.get $a2)) (i32.const 0x20202020)) (i32.const 0x9E3779B1))
          (local.get $s1)))) (i32.const 16))
          (i32.shl (i32.load8_u (i32.add (local.get $t) (i32.shr_u
          (i32.mul (i32.or (i32.load (local.get $a3)) (i32.const 0x20202020)) (i32.const 0x9E3779B1))
          (local.get $s1)))) (i32.const 24)))))
      (local.set $pairs (i32.const 0))
      (if (local.get $t2)
        (then
          (local.set $pairs (i32.or
            (i32.or (i32.load8_u (i32.add (local.get $t2) (i32.or (i32.load16_u (local.get $p)) (i32.const 0x2020))))
              (i32.load8_u (i32.add (local.get $t2) (i32.or (i32.load16_u (local.get $a1)) (i32.const 0x2020)))))
            (i32.or (i32.load8_u (i32.add (local.get $t2) (i32.or (i32.load16_u (local.get $a2)) (i32.const 0x2020))))
              (i32.load8_u (i32.add (local.get $t2) (i32.or (i32.load16_u (local.get $a3)) (i32.const 0x2020)))))))))
      (if (i32.or (local.get $slots) (local.get $pairs))
        (then
          ;; Which of the 4 positions, if any, passes both levels.
          (local.set $q (local.get $p))
          (loop $each
            ;; Without pair-table hits, straight to the next marked position (its byte the lowest set one of
            ;; $slots): no branch on each unmarked position, which a run cannot predict.
            (if (i32.eqz (local.get $pairs))
              (then
                (local.set $skip (i32.shr_u (i32.ctz (local.get $slots)) (i32.const 3)))
                (local.set $q (i32.add (local.get $q) (i32.mul (local.get $skip) (local.get $stride))))
                (local.set $slots (i32.shr_u (local.get $slots) (i32.shl (local.get $skip) (i32.const 3))))))
            (if (i32.ge_u (local.get $q) (local.get $end)) (then (return (i32.const -1))))
            (if (i32.and (local.get $pairs)
                (i32.ne (i32.const 0)
                  (i32.load8_u (i32.add (local.get $t2) (i32.or (i32.load16_u (local.get $q)) (i32.const 0x2020))))))
              (then (return (local.get $q))))
            (local.set $marks (i32.and (local.get $slots) (i32.const 0xff)))
            ;; Nested ifs, not i32.and: an and evaluates both sides, and would test unmarked positions.
            (if (i32.ne (local.get $marks) (i32.const 0))
              (then (if
                ;; 1 when the window at $q, whose byte-table slot holds $marks, passes the bit table $b (second
                ;; hash, shift $s2): with bit 5 of $marks (a needle shorter than 8 bytes marked the slot) on the
                ;; window alone; with bit d (0 to 4) on the 8 bytes from d bytes before it (a needle of 8 or more
                ;; bytes whose window lies d bytes into its last 8), those starting inside the region. Written
                ;; out: V8 does not inline calls, and this runs at every marked position.
                (block $long (result i32)
                  (if (i32.and (local.get $marks) (i32.const 32))
                    (then
                      (local.set $h (i32.shr_u (i32.mul (i32.or (i32.load (local.get $q)) (i32.const 0x20202020))
                        (i32.const 0x85EBCA77)) (local.get $s2)))
                      (if (i32.and (i32.const 1) (i32.shr_u
                            (i32.load8_u (i32.add (local.get $b) (i32.shr_u (local.get $h) (i32.const 3))))
                            (i32.and (local.get $h) (i32.const 7))))
                        (then (br $long (i32.const 1))))))
                  (local.set $marks (i32.and (local.get $marks) (i32.const 31)))
                  (block $none
                    (loop $context
                      (br_if $none (i32.eqz (local.get $marks)))
                      ;; Ascending d: a context starting before the region ends the search.
                      (br_if $none (i32.gt_u (i32.ctz (local.get $marks)) (local.get $q)))
                      (local.set $a (i32.sub (local.get $q) (i32.ctz (local.get $marks))))
                      (local.set $marks (i32.and (local.get $marks) (i32.sub (local.get $marks) (i32.const 1))))
                      ;; The context's hash plus its distance before the window (times a constant) tells offsets
                      ;; apart.
                      (local.set $h (i32.shr_u (i32.add
                        (i32.mul (i32.xor
                            (i32.or (i32.load (local.get $a)) (i32.const 0x20202020))
                            (i32.mul (i32.or (i32.load offset=4 (local.get $a)) (i32.const 0x20202020))
                              (i32.const 0xC2B2AE3D)))
                          (i32.const 0x85EBCA77))
                        (i32.mul (i32.sub (local.get $q) (local.get $a)) (i32.const 0x27D4EB2F))) (local.get $s2)))
                      (if (i32.and (i32.const 1) (i32.shr_u
                            (i32.load8_u (i32.add (local.get $b) (i32.shr_u (local.get $h) (i32.const 3))))
                            (i32.and (local.get $h) (i32.const 7))))
                        (then (br $long (i32.const 1))))
                      (br $context)))
                  (i32.const 0))
                (then
                  (if (i32.eqz (local.get $v)) (then (return (local.get $q))))
                  (local.set $r
                    (call $wf_verify (local.get $q) (local.get $from) (local.get $end) (local.get $v) (local.get $s1)))
                  (if (i32.ge_s (local.get $r) (i32.const 0))
                    (then
                      (global.set $wf_verified (i32.const 1))
                      (return (local.get $r))))))))
            (local.set $slots (i32.shr_u (local.get $slots) (i32.const 8)))
            (local.set $q (i32.add (local.get $q) (local.get $stride)))
            (br_if $each (i32.and (i32.le_u (local.get $q) (local.get $a3))
              (i32.ne (i32.or (local.get $slots) (local.get $pairs)) (i32.const 0)))))))
      (local.set $p (i32.add (local.get $a3) (local.get $stride)))
      (br $group))
    (i32.const -1))

;; ---- line starts ----
  ;; Needles anchored at a line start (a leading newline), looked for only where lines start: at each newline in
  ;; [p, end) (32 bytes compared per step) and at $from itself when p is $from (the region's first line, whose
  ;; newline is not in the region), the 4 bytes after it, each OR 0x20 and masked by $mask (needles with fewer
  ;; bytes after their newline), hashed into the byte table $t (shift $s1). A slot's byte is 0 (no needle), 1
  ;; (verify), or 0x80 plus the low 7 bits of the byte after the hashed ones (at $next from the line start, OR
  ;; 0x20) that all the slot's needles have: then only a line with that byte is verified against the slot's
  ;; needles ($wf_bucket, verify table $v). Returns the first hit's last byte, or -1.
  (func (export "line_starts") (param $p i32) (param $end i32) (param $t i32) (param $s1 i32) (param $mask i32)
    (param $next i32) (param $from i32) (param $v i32) (result i32)
    (local $bits i32) (local $q i32) (local $r i32) (local $nl v128)
    (local.set $nl (i8x16.splat (i32.const 10)))
    (if (i32.eq (local.get $p) (local.get $from))
      (then
        (local.set $r (call $line_start (local.get $p) (local.get $t) (local.get $s1) (local.get $mask)
          (local.get $next) (local.get $from) (local.get $end) (local.get $v)))
        (if (i32.ge_s (local.get $r) (i32.const 0)) (then (return (local.get $r))))))
    (block $done
      (loop $block
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        ;; 32 bytes per step: most hold no newline (a line is some 100-200 bytes).
        (local.set $bits (i32.or (i8x16.bitmask (i8x16.eq (v128.load (local.get $p)) (local.get $nl)))
          (i32.shl (i8x16.bitmask (i8x16.eq (v128.load offset=16 (local.get $p)) (local.get $nl))) (i32.const 16))))
        ;; Lanes past the end hold bytes of no interest (whatever the memory has there).
        (if (i32.lt_u (i32.sub (local.get $end) (local.get $p)) (i32.const 32))
          (then (local.set $bits (i32.and (local.get $bits)
            (i32.sub (i32.shl (i32.const 1) (i32.sub (local.get $end) (local.get $p))) (i32.const 1))))))
        (block $lanes_done
          (loop $lanes
            (br_if $lanes_done (i32.eqz (local.get $bits)))
            (local.set $q (i32.add (i32.add (local.get $p) (i32.ctz (local.get $bits))) (i32.const 1)))
            (local.set $bits (i32.and (local.get $bits) (i32.sub (local.get $bits) (i32.const 1))))
            ;; The slot's byte, written out (V8 does not inline calls); most lines stop here.
            (if (i32.load8_u (i32.add (local.get $t) (i32.shr_u (i32.mul
                (i32.and (i32.or (i32.load (local.get $q)) (i32.const 0x20202020)) (local.get $mask))
                (i32.const 0x9E3779B1)) (local.get $s1))))
              (then
                (local.set $r (call $line_start (local.get $q) (local.get $t) (local.get $s1) (local.get $mask)
                  (local.get $next) (local.get $from) (local.get $end) (local.get $v)))
                (if (i32.ge_s (local.get $r) (i32.const 0)) (then (return (local.get $r))))))
            (br $lanes)))
        (local.set $p (i32.add (local.get $p) (i32.const 32)))
        (br $block)))
    (i32.const -1))

  ;; line_starts' test of the line starting at $q: a hit's last byte, or -1.
  (func $line_start (param $q i32) (param $t i32) (param $s1 i32) (param $mask i32) (param $next i32)
    (param $from i32) (param $end i32) (param $v i32) (result i32)
    (local $slot i32) (local $mark i32)
    (local.set $slot (i32.shr_u (i32.mul
      (i32.and (i32.or (i32.load (local.get $q)) (i32.const 0x20202020)) (local.get $mask))
      (i32.const 0x9E3779B1)) (local.get $s1)))
    (local.set $mark (i32.load8_u (i32.add (local.get $t) (local.get $slot))))
    (if (i32.eqz (local.get $mark)) (then (return (i32.const -1))))
    (if (i32.and (i32.ne (i32.and (local.get $mark) (i32.const 0x80)) (i32.const 0))
        (i32.ne (i32.and (i32.or (i32.load8_u (i32.add (local.get $q) (local.get $next))) (i32.const 0x20))
          (i32.const 0x7f)) (i32.and (local.get $mark) (i32.const 0x7f))))
      (then (return (i32.const -1))))
    (call $wf_bucket (local.get $q) (local.get $from) (local.get $end) (local.get $v) (local.get $slot)))
)
