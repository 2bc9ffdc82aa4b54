module {
}

{-#
  dialect_resources: {
    builtin: {
      blob: "0x04000000\"5FFC