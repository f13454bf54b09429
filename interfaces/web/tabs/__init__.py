"""One module per tab: each builds its components inside the open Blocks and wires them."""
