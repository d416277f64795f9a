"""The lab-result gateway (the hospital-drp/lab-gateway image): HL7 over MLLP in, results API out."""
