.text
.section p
	jr ; no target
