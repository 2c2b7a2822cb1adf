"""The paper trail: drafts, 审批, numbers, service (送达) and returns, the documents' rendering and the case file."""
