// Starts the example app: `pnpm --filter @sortgrid/example-embed-assessment start`, or
// `PORT=8080 SORTGRID_STORE=sqlite:./assessment.db node --import tsx --conditions=sortgrid-source src/main.ts`.
// The tokens are fixed demo tokens; a real host maps its own sessions to actors.
import { Client } from "@sortgrid/sdk"
import { createApp } from "./app.js"

const sortgrid = await Client.open({ store: process.env.SORTGRID_STORE ?? "memory:" })
const server = createApp({
  sortgrid,
  tokens: {
    "district-office-token": { id: "district-office", roles: ["district-admin"], scope: ["/"] },
    "official-token": { id: "official", roles: ["department-official"], scope: ["/"] }
  }
})
server.listen(Number(process.env.PORT ?? 8080), () => {
  const address = server.address()
  console.log(`listening on ${typeof address === "object" && address !== null ? address.port : address}`)
})
const stop = () => {
  server.close(() => {
    sortgrid.close().then(
      () => process.exit(0),
      () => process.exit(1)
    )
  })
}
process.on("SIGINT", stop)
process.on("SIGTERM", stop)
