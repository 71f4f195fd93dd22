# bindings/python/README.md: statements inside a coroutine (`asyncio.run(main())`).
import sv2
import sv2.aio


async def main() -> None:
    @SNIPPET@
