// @grafana/scenes ships no types for this deep module; the tests use only these.
declare module '*/variables/interpolation/formatRegistry.js' {
  export const formatRegistry: unknown;
}
