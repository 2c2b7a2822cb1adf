"""The 依申请公开 workflow of the 2019 Regulation, as pure data and functions on the engine."""
