"""The assistant for other tools: an OpenAI-compatible chat API (`openai.py`, served by
`assistant serve` under `/v1`) and an MCP server (`mcp.py`, `assistant mcp`). Clients of
`Assistant` like the CLI and the web chat: they translate requests, nothing more.
"""
