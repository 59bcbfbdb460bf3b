;; SIMD kernels for the two loops that dominate training and scoring (see kernels.ts). Products and sums
;; are in f64, as in the JavaScript they replace, so results differ from it only in the order of addition.
(module
  (memory (export "memory") 1)

  ;; out[j] = sum over a < f of vector[a] * rows[j * f + a], for j < count.
  ;; vector: f f64 values; rows: count x f f32 values, row-major; out: count f32 values; f a multiple of 4.
  (func (export "dotRows") (param $vector i32) (param $rows i32) (param $count i32) (param $f i32) (param $out i32)
    (local $rowBytes i32) (local $end i32) (local $a i32) (local $v i32) (local $x v128) (local $acc v128)
    (local.set $rowBytes (i32.shl (local.get $f) (i32.const 2)))
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $count) (i32.const 2))))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
        (local.set $acc (v128.const f64x2 0 0))
        (local.set $a (i32.const 0))
        (local.set $v (local.get $vector))
        (block $rowDone
          (loop $four
            (br_if $rowDone (i32.ge_u (local.get $a) (local.get $rowBytes)))
            (local.set $x (v128.load (i32.add (local.get $rows) (local.get $a))))
            (local.set $acc
              (f64x2.add (local.get $acc)
                (f64x2.mul (v128.load (local.get $v)) (f64x2.promote_low_f32x4 (local.get $x)))))
            (local.set $acc
              (f64x2.add (local.get $acc)
                (f64x2.mul
                  (v128.load offset=16 (local.get $v))
                  (f64x2.promote_low_f32x4
                    (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $x) (local.get $x))))))
            (local.set $a (i32.add (local.get $a) (i32.const 16)))
            (local.set $v (i32.add (local.get $v) (i32.const 32)))
            (br $four)))
        (f32.store (local.get $out)
          (f32.demote_f64
            (f64.add (f64x2.extract_lane 0 (local.get $acc)) (f64x2.extract_lane 1 (local.get $acc)))))
        (local.set $rows (i32.add (local.get $rows) (local.get $rowBytes)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br $row))))

  ;; out = matrix * vector for an f x f f64 matrix (row-major) and f f64 values; f even.
  (func (export "matrixTimes") (param $matrix i32) (param $vector i32) (param $f i32) (param $out i32)
    (local $rowBytes i32) (local $end i32) (local $b i32) (local $acc v128)
    (local.set $rowBytes (i32.shl (local.get $f) (i32.const 3)))
    (local.set $end (i32.add (local.get $out) (local.get $rowBytes)))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
        (local.set $acc (v128.const f64x2 0 0))
        (local.set $b (i32.const 0))
        (block $rowDone
          (loop $two
            (br_if $rowDone (i32.ge_u (local.get $b) (local.get $rowBytes)))
            (local.set $acc
              (f64x2.add (local.get $acc)
                (f64x2.mul
                  (v128.load (i32.add (local.get $matrix) (local.get $b)))
                  (v128.load (i32.add (local.get $vector) (local.get $b))))))
            (local.set $b (i32.add (local.get $b) (i32.const 16)))
            (br $two)))
        (f64.store (local.get $out)
          (f64.add (f64x2.extract_lane 0 (local.get $acc)) (f64x2.extract_lane 1 (local.get $acc))))
        (local.set $matrix (i32.add (local.get $matrix) (local.get $rowBytes)))
        (local.set $out (i32.add (local.get $out) (i32.const 8)))
        (br $row)))))
