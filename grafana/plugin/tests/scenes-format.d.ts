// @grafana/scenes ships no types for this deep module; the tests use only these.
declare module '*/variables/interpolation/formatRegistry.js' {
  export const formatRegistry: unknown;
}
declare module '*/variables/constants.js' {
  export const VARIABLE_REGEX: RegExp;
}
declare module '*/variables/macros/dataMacros.js' {
  export const ValueMacro: unknown;
  export const DataMacro: unknown;
  export const FieldMacro: unknown;
  export const SeriesMacro: unknown;
}
