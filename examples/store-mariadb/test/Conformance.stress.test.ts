// Every conformance suite the built-in adapters pass, against MariaDB: each test gets a new database.
import { Conformance } from "@sortgrid/testkit"
import { freshStore } from "./server.js"

Conformance.sql("mariadb", freshStore)
