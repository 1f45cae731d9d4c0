export { default } from "../../scripts/tsup.base.js"
