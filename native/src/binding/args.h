// Argument readers for the boundary: typed arrays by pointer, numbers as exact integers.
#pragma once

#include <napi.h>

#include <cmath>
#include <string>

namespace tranche::binding {

// A JS number that must hold an exact integer (safe range); throws a TypeError naming the argument.
inline int64_t intArg(const Napi::Value& v, const char* name) {
  if (!v.IsNumber()) throw Napi::TypeError::New(v.Env(), std::string(name) + " must be a number");
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!(std::fabs(d) <= 9007199254740991.0) || std::floor(d) != d)
    throw Napi::RangeError::New(v.Env(), std::string(name) + " must be a whole number, got " + std::to_string(d));
  return static_cast<int64_t>(d);
}

template <typename T>
struct TypedArrayTraits;
template <> struct TypedArrayTraits<uint8_t> { static constexpr napi_typedarray_type type = napi_uint8_array; static constexpr const char* name = "Uint8Array"; };
template <> struct TypedArrayTraits<int8_t> { static constexpr napi_typedarray_type type = napi_int8_array; static constexpr const char* name = "Int8Array"; };
template <> struct TypedArrayTraits<int32_t> { static constexpr napi_typedarray_type type = napi_int32_array; static constexpr const char* name = "Int32Array"; };
template <> struct TypedArrayTraits<float> { static constexpr napi_typedarray_type type = napi_float32_array; static constexpr const char* name = "Float32Array"; };
template <> struct TypedArrayTraits<double> { static constexpr napi_typedarray_type type = napi_float64_array; static constexpr const char* name = "Float64Array"; };
template <> struct TypedArrayTraits<int64_t> { static constexpr napi_typedarray_type type = napi_bigint64_array; static constexpr const char* name = "BigInt64Array"; };

// Pointer to a typed array's elements (no copy) after checking its element type and minimum length.
template <typename T>
T* arrayArg(const Napi::Value& v, const char* name, size_t minLength) {
  if (!v.IsTypedArray()) throw Napi::TypeError::New(v.Env(), std::string(name) + " must be a " + TypedArrayTraits<T>::name);
  Napi::TypedArray ta = v.As<Napi::TypedArray>();
  if (ta.TypedArrayType() != TypedArrayTraits<T>::type)
    throw Napi::TypeError::New(v.Env(), std::string(name) + " must be a " + TypedArrayTraits<T>::name);
  if (ta.ElementLength() < minLength)
    throw Napi::RangeError::New(v.Env(), std::string(name) + " has " + std::to_string(ta.ElementLength()) +
                                             " elements, needs at least " + std::to_string(minLength));
  auto* bytes = static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  return reinterpret_cast<T*>(bytes);
}

// One row of an IO table as TypeScript compares it with its own: [field name, typed-array name, size per unit].
template <typename T>
Napi::Array ioTableRow(Napi::Env env, const char* field, const char* perUnit) {
  Napi::Array row = Napi::Array::New(env, 3);
  row.Set(0u, Napi::String::New(env, field));
  row.Set(1u, Napi::String::New(env, TypedArrayTraits<T>::name));
  row.Set(2u, Napi::String::New(env, perUnit));
  return row;
}

inline Napi::Value prop(const Napi::Object& o, const char* key) { return o.Get(key); }
inline double numberOr(const Napi::Object& o, const char* key, double fallback) {
  Napi::Value v = o.Get(key);
  return v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : fallback;
}

}  // namespace tranche::binding
